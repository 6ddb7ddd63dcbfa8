import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import type { Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { SignaturesService } from '../../platform/signatures/signatures.service';
import type { Asset } from '../assets/asset.entities';
import { AssetsService, type AssetView, type MeterView } from '../assets/assets.service';
import { BoardService, type MaintenanceBoard } from '../board/board.service';
import { TechniciansService, type TechnicianView } from '../board/technicians.service';
import { PmDueJob } from '../pm/pm-due.job';
import { PmPlansService, type PmPlanView } from '../pm/pm-plans.service';
import { PerformanceService, type PerformanceReport } from '../reliability/performance.service';
import { TicketsService, type TicketView } from '../tickets/tickets.service';
import {
  AssignTicketDto,
  ChecklistAnswerDto,
  CompleteTicketDto,
  CreateAssetDto,
  CreateMeterDto,
  CreatePmPlanDto,
  CreateTicketDto,
  DocumentLinkDto,
  IssuePartDto,
  LabourEntryDto,
  MeterReadingDto,
  OeeQueryDto,
  PartLineDto,
  TicketNoteDto,
  TicketQueryDto,
  TicketReasonDto,
  UpdateAssetDto,
  UpdatePmPlanDto,
  UpdateTicketDto,
  VerifyTicketDto,
} from './maintenance.dto';

/** Assets (machines and components) and their meters. */
@ApiTags('maintenance: assets')
@Controller('sites/:siteId/maintenance/assets')
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Get()
  @ApiOkResponse({ description: 'Registered assets by code' })
  list(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): Promise<Asset[]> {
    assertSiteAccess(p, siteId);
    return this.assets.list(siteId);
  }

  @Post()
  @Roles('admin', 'maintenance')
  @ApiCreatedResponse({ description: 'The asset: a machine (equipment) or a component fitted in one' })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateAssetDto,
  ): Promise<Asset> {
    assertSiteAccess(p, siteId);
    return this.assets.create(p, siteId, dto);
  }

  @Get(':asset')
  @ApiOkResponse({
    description: 'The asset with its components and meters (a machine is registered on first look)',
  })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('asset') asset: string,
  ): Promise<AssetView> {
    assertSiteAccess(p, siteId);
    return this.assets.get(siteId, asset);
  }

  @Patch(':asset')
  @Roles('admin', 'maintenance')
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('asset') asset: string,
    @Body() dto: UpdateAssetDto,
  ): Promise<Asset> {
    assertSiteAccess(p, siteId);
    return this.assets.update(p, siteId, asset, dto);
  }

  @Post(':asset/meters')
  @Roles('admin', 'maintenance')
  @ApiCreatedResponse({ description: 'The meter with its reading now' })
  createMeter(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('asset') asset: string,
    @Body() dto: CreateMeterDto,
  ): Promise<MeterView> {
    assertSiteAccess(p, siteId);
    return this.assets.createMeter(p, siteId, asset, dto);
  }

  @Post(':asset/meters/:meter/readings')
  @Idempotent()
  @Roles('admin', 'maintenance', 'operator')
  @ApiCreatedResponse({
    description: 'The meter after the reading; 422 METER_READING_BACKWARDS below the last one',
  })
  read(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('asset') asset: string,
    @Param('meter') meter: string,
    @Body() dto: MeterReadingDto,
  ): Promise<MeterView> {
    assertSiteAccess(p, siteId);
    return this.assets.recordReading(p, siteId, asset, meter, dto);
  }
}

/** Preventive maintenance plans. */
@ApiTags('maintenance: PM plans')
@Controller('sites/:siteId/maintenance/pm-plans')
export class PmPlansController {
  constructor(
    private readonly plans: PmPlansService,
    private readonly job: PmDueJob,
  ) {}

  @Get()
  @ApiOkResponse({
    description: 'Plans with when each is next due (meter plans: forecast from the meter’s rate)',
  })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query('asset') asset?: string,
  ): Promise<PmPlanView[]> {
    assertSiteAccess(p, siteId);
    return this.plans.list(siteId, asset);
  }

  @Post()
  @Roles('admin', 'maintenance')
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreatePmPlanDto,
  ): Promise<PmPlanView> {
    assertSiteAccess(p, siteId);
    return this.plans.create(p, siteId, dto);
  }

  /** Makes the site's due tickets now (what the scheduled job does every five minutes). */
  @Post('run')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  @ApiOkResponse({ description: 'Tickets made' })
  async run(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
  ): Promise<{ made: Array<{ planCode: string; ticketCode: string }> }> {
    assertSiteAccess(p, siteId);
    return { made: await this.plans.runDue(new Date(), siteId) };
  }

  @Get(':plan')
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('plan') plan: string,
  ): Promise<PmPlanView> {
    assertSiteAccess(p, siteId);
    return this.plans.get(siteId, plan);
  }

  @Patch(':plan')
  @Roles('admin', 'maintenance')
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('plan') plan: string,
    @Body() dto: UpdatePmPlanDto,
  ): Promise<PmPlanView> {
    assertSiteAccess(p, siteId);
    return this.plans.update(p, siteId, plan, dto);
  }
}

/** Maintenance tickets: preventive, corrective (breakdowns) and improvement. */
@ApiTags('maintenance: tickets')
@Controller('sites/:siteId/maintenance/tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly signatures: SignaturesService,
  ) {}

  @Get()
  @ApiOkResponse({
    description: 'Tickets, newest first; status is comma-separated; assignee=me for your own',
  })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: TicketQueryDto,
  ): Promise<Page<TicketView>> {
    assertSiteAccess(p, siteId);
    return this.tickets.list(p, siteId, q);
  }

  @Post()
  @Idempotent()
  @Roles('admin', 'maintenance', 'operator', 'planner', 'quality')
  @ApiCreatedResponse({ description: 'The ticket; a breakdown (machineDown) stops the machine with it' })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateTicketDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.create(p, siteId, dto);
  }

  @Get(':ticket')
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.get(p, siteId, ticket);
  }

  @Patch(':ticket')
  @Roles('admin', 'maintenance', 'planner')
  @ApiOkResponse({
    description: 'Title, priority, the reserved window or a breakdown’s expected return changed',
  })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: UpdateTicketDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.update(p, siteId, ticket, dto);
  }

  @Post(':ticket/assign')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  assign(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: AssignTicketDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.assign(p, siteId, ticket, dto);
  }

  @Post(':ticket/start')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  start(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.start(p, siteId, ticket);
  }

  @Post(':ticket/labour/start')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  startLabour(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.startLabour(p, siteId, ticket);
  }

  @Post(':ticket/labour/stop')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  stopLabour(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: TicketNoteDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.stopLabour(p, siteId, ticket, dto.note);
  }

  @Post(':ticket/labour')
  @Idempotent()
  @Roles('admin', 'maintenance')
  @ApiCreatedResponse({ description: 'Labour booked afterwards for a technician' })
  addLabour(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: LabourEntryDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.addLabour(p, siteId, ticket, dto);
  }

  @Post(':ticket/checklist')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  checklist(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: ChecklistAnswerDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.answerChecklist(p, siteId, ticket, dto);
  }

  @Post(':ticket/attachments')
  @HttpCode(200)
  @Roles('admin', 'maintenance', 'operator')
  attach(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: DocumentLinkDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.addAttachment(p, siteId, ticket, dto);
  }

  @Post(':ticket/parts')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  @ApiOkResponse({ description: 'Part reserved; 409 INSUFFICIENT_STOCK when less is free' })
  reserve(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: PartLineDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.reservePart(p, siteId, ticket, dto);
  }

  @Post(':ticket/parts/issue')
  @Idempotent()
  @HttpCode(200)
  @Roles('admin', 'maintenance', 'warehouse')
  @ApiOkResponse({
    description: 'Parts issued from the warehouse (lots taken); 409 INSUFFICIENT_STOCK when short',
  })
  issue(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: IssuePartDto,
  ) {
    assertSiteAccess(p, siteId);
    return this.tickets.issuePart(p, siteId, ticket, dto);
  }

  @Post(':ticket/complete')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  @ApiOkResponse({
    description: 'Done; 409 ILLEGAL_TRANSITION with `missing` (failureCode, cause, remedy / checklist)',
  })
  complete(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: CompleteTicketDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.complete(p, siteId, ticket, dto);
  }

  @Post(':ticket/verify')
  @HttpCode(200)
  @Roles('admin', 'maintenance', 'quality')
  @ApiOkResponse({
    description: 'Verified; signed with your password when the ticket needs it (401 on a wrong one)',
  })
  async verify(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: VerifyTicketDto,
    @Req() req: FastifyRequest,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    if (dto.password !== undefined) await this.signatures.verifySigner(p, dto.password, req.ip);
    return this.tickets.verify(p, siteId, ticket, dto, dto.password !== undefined);
  }

  @Post(':ticket/reopen')
  @HttpCode(200)
  @Roles('admin', 'maintenance', 'quality')
  reopen(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: TicketReasonDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.reopen(p, siteId, ticket, dto.reason, dto.expectedVersion);
  }

  @Post(':ticket/cancel')
  @HttpCode(200)
  @Roles('admin', 'maintenance')
  cancel(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('ticket') ticket: string,
    @Body() dto: TicketReasonDto,
  ): Promise<TicketView> {
    assertSiteAccess(p, siteId);
    return this.tickets.cancel(p, siteId, ticket, dto.reason, dto.expectedVersion);
  }
}

/** The maintenance board and machine performance (OEE, MTBF, MTTR). */
@ApiTags('maintenance: board and performance')
@Controller('sites/:siteId/maintenance')
export class MaintenanceBoardController {
  constructor(
    private readonly board: BoardService,
    private readonly performance: PerformanceService,
    private readonly technicians: TechniciansService,
  ) {}

  @Get('technicians')
  @ApiOkResponse({
    description:
      'Active users of the site with the maintenance or maintenance_lead role (id, username, name, roles, ' +
      'assignable, active tickets held), for assigning tickets',
  })
  listTechnicians(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
  ): Promise<TechnicianView[]> {
    assertSiteAccess(p, siteId);
    return this.technicians.list(siteId);
  }

  @Get('board')
  @ApiOkResponse({
    description: 'Tickets by state and technician, machines down, overdue PM, upcoming windows',
  })
  get(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): Promise<MaintenanceBoard> {
    assertSiteAccess(p, siteId);
    return this.board.board(siteId);
  }

  @Get('performance')
  @ApiOkResponse({
    description: 'OEE (ISO 22400) with losses, MTBF, MTTR and availability per machine, the line, by shift',
  })
  perf(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: OeeQueryDto,
  ): Promise<PerformanceReport> {
    assertSiteAccess(p, siteId);
    return this.performance.report(siteId, { ...q, byShift: q.byShift === 'true' });
  }
}
