import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { WorkOrderCostService, type WorkOrderCostView } from '../cost/work-order-cost.service';
import { DashboardScope } from '../dashboard-scope';
import {
  EquipmentDashboardsService,
  type OeeDashboard,
  type ReliabilityDashboard,
} from '../equipment/equipment-dashboards.service';
import {
  ProductionDashboardsService,
  type KittingDashboard,
  type LineProgress,
  type OnTimeDelivery,
  type WorkInProcess,
} from '../production/production-dashboards.service';
import {
  QualityDashboardsService,
  type QualityDashboard,
  type SpcStatus,
} from '../quality/quality-dashboards.service';
import { StockGaugesService, type StockGauges } from '../stock/stock-gauges.service';
import { OpenTodosService, type OpenTodos } from '../todos/open-todos.service';
import {
  LinePeriodQueryDto,
  LineQueryDto,
  listOf,
  MachinesQueryDto,
  PeriodQueryDto,
  SiteQueryDto,
  StockGaugesQueryDto,
} from './analytics.dto';

/**
 * The manager's cockpit (管理驾驶舱): read-only figures of one site, every role that can sign in may read them.
 * Periods default in the site's time zone; quantities are decimal strings, ratios numbers 0..1 (4 places).
 */
@ApiTags('analytics: dashboards')
@Controller('analytics')
export class AnalyticsController {
  constructor(
    private readonly scope: DashboardScope,
    private readonly production: ProductionDashboardsService,
    private readonly stock: StockGaugesService,
    private readonly equipment: EquipmentDashboardsService,
    private readonly quality: QualityDashboardsService,
    private readonly todos: OpenTodosService,
    private readonly costs: WorkOrderCostService,
  ) {}

  @Get('line-progress')
  @ApiOkResponse({
    description:
      'Planned against done per work order and per line: orders on the shop floor and orders due in the period (default: today), with good, scrap, progress, due date and a late flag',
  })
  async lineProgress(
    @CurrentPrincipal() p: Principal,
    @Query() q: LinePeriodQueryDto,
  ): Promise<LineProgress> {
    assertSiteAccess(p, q.siteId);
    const site = await this.scope.site(q.siteId);
    const line = await this.scope.line(site.id, q.line);
    return this.production.lineProgress({ siteId: site.id, line, ...this.scope.period(site, q, 'today') });
  }

  @Get('stock-gauges')
  @ApiOkResponse({
    description:
      'Key materials as gauges: available, on hand and reserved stock against safety stock and reorder point, with a status (below_safety, below_reorder, ok)',
  })
  stockGauges(@CurrentPrincipal() p: Principal, @Query() q: StockGaugesQueryDto): Promise<StockGauges> {
    assertSiteAccess(p, q.siteId);
    return this.stock.gauges(q.siteId, listOf(q.material));
  }

  @Get('kitting')
  @ApiOkResponse({
    description:
      '齐套率 now: of the released, not yet started work orders, the share with every material staged at their line; per line and per order with what is missing',
  })
  async kitting(@CurrentPrincipal() p: Principal, @Query() q: LineQueryDto): Promise<KittingDashboard> {
    assertSiteAccess(p, q.siteId);
    const line = await this.scope.line(q.siteId, q.line);
    return this.production.kitting(p, { siteId: q.siteId, line });
  }

  @Get('oee')
  @ApiOkResponse({
    description:
      'OEE (ISO 22400) with availability, effectiveness, quality and the losses (downtime by reason, setup, idle, speed, scrap by reason) per machine and for the machines together (default period: the last 7 days)',
  })
  async oee(@CurrentPrincipal() p: Principal, @Query() q: MachinesQueryDto): Promise<OeeDashboard> {
    assertSiteAccess(p, q.siteId);
    return this.equipment.oee(await this.machinesQuery(q));
  }

  @Get('reliability')
  @ApiOkResponse({
    description:
      'MTBF, MTTR and availability from unplanned downtime per machine and for the machines together (default period: the last 7 days)',
  })
  async reliability(
    @CurrentPrincipal() p: Principal,
    @Query() q: MachinesQueryDto,
  ): Promise<ReliabilityDashboard> {
    assertSiteAccess(p, q.siteId);
    return this.equipment.reliability(await this.machinesQuery(q));
  }

  @Get('on-time-delivery')
  @ApiOkResponse({
    description:
      'Work orders completed in the period (default: the last 7 days), on time or late against their due time, the on-time rate, per line',
  })
  async onTimeDelivery(
    @CurrentPrincipal() p: Principal,
    @Query() q: LinePeriodQueryDto,
  ): Promise<OnTimeDelivery> {
    assertSiteAccess(p, q.siteId);
    const site = await this.scope.site(q.siteId);
    const line = await this.scope.line(site.id, q.line);
    return this.production.onTimeDelivery({
      siteId: site.id,
      line,
      ...this.scope.period(site, q, 'last7days'),
    });
  }

  @Get('wip')
  @ApiOkResponse({
    description:
      'Work in process now by work center: open operations waiting (with why), ready, running and paused, units in process and good units still to make',
  })
  async wip(@CurrentPrincipal() p: Principal, @Query() q: LineQueryDto): Promise<WorkInProcess> {
    assertSiteAccess(p, q.siteId);
    const line = await this.scope.line(q.siteId, q.line);
    return this.production.wip({ siteId: q.siteId, line });
  }

  @Get('quality')
  @ApiOkResponse({
    description:
      'First-pass yield of the period (default: the last 7 days) from terminal reports, per work center, and scrap by reason',
  })
  async qualityFigures(
    @CurrentPrincipal() p: Principal,
    @Query() q: LinePeriodQueryDto,
  ): Promise<QualityDashboard> {
    assertSiteAccess(p, q.siteId);
    const site = await this.scope.site(q.siteId);
    const line = await this.scope.line(site.id, q.line);
    return this.quality.quality({ siteId: site.id, line, ...this.scope.period(site, q, 'last7days') });
  }

  @Get('spc-status')
  @ApiOkResponse({
    description:
      'Per charted characteristic: points and rule violations in the period (default: the last 7 days), the last point’s state and the latest violation',
  })
  async spcStatus(@CurrentPrincipal() p: Principal, @Query() q: PeriodQueryDto): Promise<SpcStatus> {
    assertSiteAccess(p, q.siteId);
    const site = await this.scope.site(q.siteId);
    return this.quality.spcStatus({ siteId: site.id, ...this.scope.period(site, q, 'last7days') });
  }

  @Get('todos')
  @ApiOkResponse({ description: 'Open todos (待办) by kind and by role, with how many are overdue' })
  openTodos(@CurrentPrincipal() p: Principal, @Query() q: SiteQueryDto): Promise<OpenTodos> {
    assertSiteAccess(p, q.siteId);
    return this.todos.summary(q.siteId);
  }

  @Get('work-orders/:workOrder/cost')
  @ApiParam({ name: 'workOrder', description: 'Work order id or code' })
  @ApiOkResponse({
    description:
      'End-to-end cost of a work order in the site’s currency: material at lot cost, labour time × rate, machine time × rate, the scrapped units’ share, total and per good unit; prices not known are listed in `missing` and the figures needing them are null',
  })
  async cost(
    @CurrentPrincipal() p: Principal,
    @Param('workOrder') workOrder: string,
    @Query() q: SiteQueryDto,
  ): Promise<WorkOrderCostView> {
    assertSiteAccess(p, q.siteId);
    return this.costs.cost(await this.scope.site(q.siteId), workOrder);
  }

  private async machinesQuery(q: MachinesQueryDto) {
    const site = await this.scope.site(q.siteId);
    const line = await this.scope.line(site.id, q.line);
    return {
      siteId: site.id,
      line,
      equipment: listOf(q.equipment),
      ...this.scope.period(site, q, 'last7days'),
    };
  }
}
