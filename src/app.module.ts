import { Module } from '@nestjs/common';
import { AlertsModule } from './alerts/alerts.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { ErpBridgeModule } from './erp-bridge/erp-bridge.module';
import { InventoryModule } from './inventory/inventory.module';
import { MachineDataModule } from './machine-data/machine-data.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { MasterDataModule } from './master-data/master-data.module';
import { PlanningModule } from './planning/planning.module';
import { PlatformModule } from './platform/platform.module';
import { ProductionModule } from './production/production.module';
import { QualityModule } from './quality/quality.module';
import { TraceabilityModule } from './traceability/traceability.module';
import { UiModule } from './ui/ui.module';
import { WmsBridgeModule } from './wms-bridge/wms-bridge.module';

@Module({
  imports: [
    PlatformModule,
    MasterDataModule,
    InventoryModule,
    QualityModule,
    ProductionModule,
    MaintenanceModule,
    MachineDataModule,
    PlanningModule,
    ErpBridgeModule,
    WmsBridgeModule,
    AlertsModule,
    TraceabilityModule,
    AnalyticsModule,
    UiModule,
  ],
})
export class AppModule {}
