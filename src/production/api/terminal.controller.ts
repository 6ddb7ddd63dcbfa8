import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBooleanString, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { Terminal } from '../../platform/auth/terminal.entity';
import { DomainError, PlatformErrorCode } from '../../platform/errors/domain-error';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { DispatchService, type DispatchItem } from '../dispatch/dispatch.service';
import type { AndonCall, DowntimeEvent, ProcessReading } from '../shop-floor/shop-floor.entities';
import {
  ShopFloorService,
  type AndonCallView,
  type WorkInstructions,
} from '../shop-floor/shop-floor.service';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { MachineDowntimeService, type DowntimeView } from '../shop-floor/machine-downtime.service';
import {
  OperationCommandsService,
  type CompletionResult,
  type OperationView,
} from '../terminal/operation-commands.service';
import { ReportQuantityService, type ReportResult } from '../terminal/report-quantity.service';
import {
  AndonActionDto,
  CompleteOperationDto,
  ConsumeMaterialDto,
  PauseOperationDto,
  RaiseAndonDto,
  RecordReadingsDto,
  ReportQuantityDto,
  StartDowntimeDto,
  StartOperationDto,
} from '../terminal/terminal.dto';

export class DispatchQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() workCenterId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() equipmentId?: string;
  @ApiPropertyOptional({ description: 'true to list completed operations too' })
  @IsOptional()
  @IsBooleanString()
  includeCompleted?: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Site (terminal endpoints: the terminal site by default)',
  })
  @IsOptional()
  @IsUUID()
  siteId?: string;
}

const SHOP_FLOOR = ['admin', 'operator'] as const;

export class TerminalAndonQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Work center; the terminal work center by default' })
  @IsOptional()
  @IsUUID()
  workCenterId?: string;
}

/** Who is signed in, at which terminal, serving which work center. */
export interface TerminalIdentity {
  operator: { id: string; name: string; username: string | null; roles: string[]; siteIds: string[] };
  terminal: {
    id: string;
    code: string;
    name: string;
    siteId: string;
    workCenterId: string | null;
    active: boolean;
  } | null;
  workCenter: { id: string; code: string; name: string; nameZh: string | null; lineId: string } | null;
}

/** What an operator's terminal calls. Every POST needs an Idempotency-Key: flaky Wi-Fi retries safely. */
@ApiTags('production: terminal')
@Controller('terminal')
export class TerminalController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly operations: OperationCommandsService,
    private readonly reports: ReportQuantityService,
    private readonly shopFloor: ShopFloorService,
    private readonly dispatch: DispatchService,
    private readonly masterData: MasterDataFacade,
  ) {}

  @Get('whoami')
  @ApiOkResponse({
    description:
      'The signed-in operator and, at a terminal, the terminal with the work center it was registered for',
  })
  async whoami(@CurrentPrincipal() p: Principal): Promise<TerminalIdentity> {
    const terminal = await this.terminalOf(p);
    const wc = terminal?.workCenterId
      ? await this.masterData.workCenter(terminal.siteId, terminal.workCenterId)
      : undefined;
    return {
      operator: {
        id: p.id,
        name: p.name,
        username: p.username ?? null,
        roles: p.roles,
        siteIds: p.siteIds,
      },
      terminal: terminal
        ? {
            id: terminal.id,
            code: terminal.code,
            name: terminal.name,
            siteId: terminal.siteId,
            workCenterId: terminal.workCenterId,
            active: terminal.active,
          }
        : null,
      workCenter: wc
        ? { id: wc.id, code: wc.code, name: wc.name, nameZh: wc.nameZh, lineId: wc.lineId }
        : null,
    };
  }

  @Get('andon')
  @ApiOkResponse({
    description:
      'The open andon calls (raised or acknowledged) of the terminal work center (or the one asked for), oldest ' +
      'first, with who raised and acknowledged them',
  })
  async openAndon(
    @CurrentPrincipal() p: Principal,
    @Query() q: TerminalAndonQueryDto,
  ): Promise<AndonCallView[]> {
    const workCenterId = q.workCenterId ?? (await this.terminalOf(p))?.workCenterId;
    if (!workCenterId) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Name the work center', {
        errors: [{ field: 'workCenterId', message: 'required outside a terminal registered for one' }],
      });
    }
    return this.shopFloor.openAndonAt(p, workCenterId);
  }

  @Get('dispatch')
  @ApiOkResponse({ description: 'The dispatch list of the terminal work center (or the one asked for)' })
  async dispatchList(
    @CurrentPrincipal() p: Principal,
    @Query() q: DispatchQueryDto,
  ): Promise<DispatchItem[]> {
    const terminal = await this.terminalOf(p);
    const siteId = q.siteId ?? terminal?.siteId ?? (p.siteIds.length === 1 ? p.siteIds[0] : undefined);
    if (!siteId) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Name the site', {
        errors: [{ field: 'siteId', message: 'required outside a terminal' }],
      });
    }
    return this.dispatch.list(p, siteId, {
      workCenterId: q.workCenterId ?? (q.equipmentId ? undefined : (terminal?.workCenterId ?? undefined)),
      equipmentId: q.equipmentId,
      includeCompleted: q.includeCompleted === 'true',
    });
  }

  @Get('operations/:id')
  @ApiOkResponse({ description: 'An operation with who is on it' })
  get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<OperationView> {
    return this.operations.get(p, id);
  }

  @Get('operations/:id/work-instructions')
  @ApiOkResponse({
    description: 'Instructions, parameters to capture, inspection point and materials, in one call',
  })
  instructions(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<WorkInstructions> {
    return this.shopFloor.instructions(p, id);
  }

  @Post('operations/:id/start')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR)
  start(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: StartOperationDto,
  ): Promise<OperationView> {
    return this.operations.start(p, id, dto);
  }

  @Post('operations/:id/pause')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR)
  pause(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: PauseOperationDto,
  ): Promise<OperationView> {
    return this.operations.pause(p, id, dto.reasonCode, dto.note);
  }

  @Post('operations/:id/resume')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR)
  resume(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<OperationView> {
    return this.operations.resume(p, id);
  }

  @Post('operations/:id/leave')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR)
  leave(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<OperationView> {
    return this.operations.leave(p, id);
  }

  @Post('operations/:id/report')
  @HttpCode(200)
  @Idempotent({ inline: true })
  @Roles(...SHOP_FLOOR)
  @ApiOkResponse({ description: 'The new totals; 422 OVER_REPORT beyond planned × (1 + tolerance)' })
  report(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ReportQuantityDto,
  ): Promise<ReportResult> {
    return this.reports.report(p, id, dto);
  }

  @Post('operations/:id/complete')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR)
  complete(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: CompleteOperationDto,
  ): Promise<CompletionResult> {
    return this.operations.complete(p, id, dto);
  }

  @Post('operations/:id/consume')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR)
  consume(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Body() dto: ConsumeMaterialDto) {
    return this.operations.consume(p, id, dto);
  }

  @Post('operations/:id/readings')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR, 'quality')
  readings(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: RecordReadingsDto,
  ): Promise<{ readings: ProcessReading[]; outOfRange: number }> {
    return this.shopFloor.recordReadings(p, id, dto);
  }

  @Post('equipment/:equipment/downtime/start')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR, 'maintenance')
  startDowntime(
    @CurrentPrincipal() p: Principal,
    @Param('equipment') equipment: string,
    @Body() dto: StartDowntimeDto,
  ): Promise<DowntimeEvent> {
    return this.shopFloor.startDowntime(p, equipment, dto.reasonCode, dto.note);
  }

  @Post('equipment/:equipment/downtime/stop')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR, 'maintenance')
  stopDowntime(
    @CurrentPrincipal() p: Principal,
    @Param('equipment') equipment: string,
    @Body() dto: AndonActionDto,
  ): Promise<DowntimeEvent> {
    return this.shopFloor.stopDowntime(p, equipment, dto.note);
  }

  @Post('andon')
  @Idempotent()
  @Roles(...SHOP_FLOOR, 'quality', 'maintenance', 'warehouse')
  async raiseAndon(@CurrentPrincipal() p: Principal, @Body() dto: RaiseAndonDto): Promise<AndonCall> {
    const terminal = await this.terminalOf(p);
    return this.shopFloor.raiseAndon(p, dto, terminal?.workCenterId);
  }

  @Post('andon/:id/acknowledge')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'operator', 'quality', 'maintenance', 'warehouse', 'planner')
  acknowledge(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AndonActionDto,
  ): Promise<AndonCall> {
    return this.shopFloor.moveAndon(p, id, 'acknowledged', dto.note);
  }

  @Post('andon/:id/resolve')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'operator', 'quality', 'maintenance', 'warehouse', 'planner')
  resolve(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AndonActionDto,
  ): Promise<AndonCall> {
    return this.shopFloor.moveAndon(p, id, 'resolved', dto.note);
  }

  /** The terminal the operator signed in at, if any: it names the work center and site by default. */
  private terminalOf(p: Principal): Promise<Terminal | null> {
    return p.terminalId
      ? this.dataSource.getRepository(Terminal).findOneBy({ id: p.terminalId })
      : Promise.resolve(null);
  }
}

class DowntimeQueryDto {
  @ApiPropertyOptional({ description: 'Machine id or code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  equipment?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsBooleanString()
  unclassified?: string;
}

@ApiTags('production: shop floor')
@Controller('sites/:siteId')
export class ShopFloorController {
  constructor(
    private readonly dispatch: DispatchService,
    private readonly shopFloor: ShopFloorService,
    private readonly machineDowntime: MachineDowntimeService,
  ) {}

  @Get('downtime')
  @ApiOkResponse({
    description:
      'Machine stops, newest first (of one machine with `equipment`); `unclassified=true`: the stops the machine ' +
      'reported that still wait for their reason',
  })
  downtime(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: DowntimeQueryDto,
  ): Promise<DowntimeView[]> {
    return this.machineDowntime.list(p, siteId, {
      equipment: q.equipment,
      unclassified: q.unclassified === 'true',
    });
  }

  @Post('downtime/:id/classify')
  @HttpCode(200)
  @Idempotent()
  @Roles(...SHOP_FLOOR, 'maintenance')
  @ApiOkResponse({
    description: 'The stop with its reason (its category follows the reason: planned or not)',
  })
  classify(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: StartDowntimeDto,
  ): Promise<DowntimeView> {
    return this.machineDowntime.classify(p, siteId, id, dto.reasonCode, dto.note);
  }

  @Get('dispatch')
  @ApiOkResponse({ description: 'Dispatch list of a work center or machine' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: DispatchQueryDto,
  ): Promise<DispatchItem[]> {
    return this.dispatch.list(p, siteId, {
      workCenterId: q.workCenterId,
      equipmentId: q.equipmentId,
      includeCompleted: q.includeCompleted === 'true',
    });
  }

  @Get('andon')
  @ApiOkResponse({ description: 'Andon calls, newest first (open ones unless all=true)' })
  andon(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query('all') all?: string,
  ): Promise<AndonCall[]> {
    return this.shopFloor.listAndon(p, siteId, all !== 'true');
  }
}
