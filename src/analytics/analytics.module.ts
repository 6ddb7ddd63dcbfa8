import { Module } from '@nestjs/common';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { MasterDataModule } from '../master-data/master-data.module';
import { ProductionModule } from '../production/production.module';
import { AnalyticsController } from './api/analytics.controller';
import { WorkOrderCostService } from './cost/work-order-cost.service';
import { DashboardScope } from './dashboard-scope';
import { EquipmentDashboardsService } from './equipment/equipment-dashboards.service';
import { ProductionDashboardsService } from './production/production-dashboards.service';
import { QualityDashboardsService } from './quality/quality-dashboards.service';
import { StockGaugesService } from './stock/stock-gauges.service';
import { OpenTodosService } from './todos/open-todos.service';

/**
 * Dashboards (read models and KPIs) for the manager's cockpit: reads other modules' tables with SQL and asks
 * production (kitting rate, dispatch states) and maintenance (OEE, reliability) through their facades.
 * Nothing imports it.
 */
@Module({
  imports: [MasterDataModule, ProductionModule, MaintenanceModule],
  controllers: [AnalyticsController],
  providers: [
    DashboardScope,
    ProductionDashboardsService,
    StockGaugesService,
    EquipmentDashboardsService,
    QualityDashboardsService,
    OpenTodosService,
    WorkOrderCostService,
  ],
})
export class AnalyticsModule {}
