import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { DomainError, PlatformErrorCode } from '../../platform/errors/domain-error';
import type { Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import {
  CreateWorkOrderDto,
  HoldDto,
  ReleaseDto,
  TransitionDto,
  UpdateWorkOrderDto,
  WorkOrderQueryDto,
} from '../work-orders/work-order.dto';
import {
  WorkOrdersService,
  type KittingView,
  type WorkOrderHistoryEntry,
  type WorkOrderListItem,
  type WorkOrderView,
} from '../work-orders/work-orders.service';

const SIMPLE_COMMANDS = {
  plan: 'plan',
  'start-kitting': 'start_kitting',
  'mark-ready': 'mark_ready',
  resume: 'resume',
  cancel: 'cancel',
  close: 'close',
} as const;

@ApiTags('production: work orders')
@Controller('sites/:siteId/work-orders')
export class WorkOrdersController {
  constructor(private readonly workOrders: WorkOrdersService) {}

  @Get()
  @ApiOkResponse({
    description: 'Work orders, rush first, then by due date, each with the commands allowed now',
  })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: WorkOrderQueryDto,
  ): Promise<Page<WorkOrderListItem>> {
    return this.workOrders.list(p, siteId, q);
  }

  @Post()
  @Roles('admin', 'planner')
  @ApiCreatedResponse({ description: 'The new work order (draft) with its operations and material lines' })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateWorkOrderDto,
  ): Promise<WorkOrderView> {
    return this.workOrders.create(p, siteId, dto);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'A work order with operations, material lines and the commands allowed now' })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<WorkOrderView> {
    return this.workOrders.get(p, siteId, id);
  }

  @Patch(':id')
  @Roles('admin', 'planner')
  @ApiOkResponse({ description: 'The changed work order' })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: UpdateWorkOrderDto,
  ): Promise<WorkOrderView> {
    return this.workOrders.update(p, siteId, id, dto);
  }

  @Get(':id/history')
  @ApiOkResponse({
    description: "The order's audit trail, oldest first: moves (from → to status), changed fields, who, why",
  })
  history(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<{ items: WorkOrderHistoryEntry[] }> {
    return this.workOrders.history(p, siteId, id);
  }

  @Get(':id/kitting')
  @ApiOkResponse({
    description: 'The kitting picture (齐套): per material line, what is open, covered and short',
  })
  kitting(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<KittingView> {
    return this.workOrders.kitting(p, siteId, id);
  }

  @Post(':id/release')
  @HttpCode(200)
  @Roles('admin', 'planner')
  @ApiOkResponse({
    description: 'The released work order; 409 MATERIAL_SHORT with the kitting picture when short',
  })
  release(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ReleaseDto,
  ): Promise<WorkOrderView> {
    return this.workOrders.release(p, siteId, id, dto.allowShortage ?? false, dto.reason);
  }

  @Post(':id/hold')
  @HttpCode(200)
  @Roles('admin', 'planner', 'quality')
  @ApiOkResponse({ description: 'The held work order' })
  hold(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: HoldDto,
  ): Promise<WorkOrderView> {
    return this.workOrders.transition(p, siteId, id, 'hold', dto.reason.trim());
  }

  @Post(':id/:command')
  @HttpCode(200)
  @Roles('admin', 'planner')
  @ApiParam({ name: 'command', enum: Object.keys(SIMPLE_COMMANDS) })
  @ApiOkResponse({
    description: 'The work order after the move; 409 ILLEGAL_TRANSITION with currentState otherwise',
  })
  move(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Param('command') command: string,
    @Body() dto: TransitionDto,
  ): Promise<WorkOrderView> {
    const cmd = (SIMPLE_COMMANDS as Record<string, (typeof SIMPLE_COMMANDS)[keyof typeof SIMPLE_COMMANDS]>)[
      command
    ];
    if (!cmd || !Object.hasOwn(SIMPLE_COMMANDS, command)) {
      throw new DomainError(
        'not_found',
        PlatformErrorCode.ROUTE_NOT_FOUND,
        `Unknown work order command ${command}; use ${Object.keys(SIMPLE_COMMANDS).join(', ')}, release or hold`,
      );
    }
    if (cmd === 'cancel' && !dto.reason?.trim()) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        'Say why the order is cancelled',
        { errors: [{ field: 'reason', message: 'reason is required' }] },
      );
    }
    return this.workOrders.transition(p, siteId, id, cmd, dto.reason);
  }
}
