import { Body, Controller, HttpCode, Injectable, Post } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { AuditService } from '../../platform/audit/audit.service';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { notFound } from '../../platform/errors/domain-error';
import { UuidParam } from '../../platform/http/uuid-param';
import { Equipment, EQUIPMENT_STATUSES, type EquipmentStatus } from './equipment.entity';

export class ChangeEquipmentStatusDto {
  @ApiProperty({ enum: EQUIPMENT_STATUSES })
  @IsIn(EQUIPMENT_STATUSES)
  status: EquipmentStatus;

  @ApiPropertyOptional({ example: 'spindle overheating' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

/**
 * A machine's operational state. Kept apart from editing the record: a status change does not bump the
 * record's version, so an engineer editing the machine never collides with the shop floor.
 */
@Injectable()
export class EquipmentStatusService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  change(
    principal: Principal,
    siteId: string,
    id: string,
    status: EquipmentStatus,
    reason?: string,
  ): Promise<Equipment> {
    assertSiteAccess(principal, siteId);
    return this.tx.run((tx) => this.changeIn(tx, siteId, id, status, reason));
  }

  /** Inside the caller's transaction (the shop floor changes a machine's state along with its own work). */
  async changeIn(
    tx: Tx,
    siteId: string,
    id: string,
    status: EquipmentStatus,
    reason?: string,
  ): Promise<Equipment> {
    const repo = tx.manager.getRepository(Equipment);
    // FOR NO KEY UPDATE: the status is no key, so operations pointing at the machine (FOR KEY SHARE through
    // their foreign key) neither block nor deadlock with it.
    const current = await repo.findOne({ where: { id }, lock: { mode: 'for_no_key_update' } });
    if (!current || current.siteId !== siteId) throw notFound('equipment', id);
    if (current.status === status) return current;
    await tx.manager.query(`UPDATE equipment SET status = $2, status_since = now() WHERE id = $1`, [
      id,
      status,
    ]);
    const updated = await repo.findOneByOrFail({ id });
    await this.audit.record(tx, {
      entityType: 'equipment',
      entityId: id,
      siteId,
      action: 'equipment.status_changed',
      before: { status: current.status, statusSince: current.statusSince },
      after: { status: updated.status, statusSince: updated.statusSince },
      reason,
    });
    tx.raise('master-data.equipment.status_changed', {
      equipmentId: id,
      siteId,
      code: current.code,
      status,
      previousStatus: current.status,
      reason: reason ?? null,
    });
    return updated;
  }
}

@ApiTags('master data: equipment')
@Controller('sites/:siteId/equipment')
export class EquipmentStatusController {
  constructor(private readonly statuses: EquipmentStatusService) {}

  @Post(':id/status')
  @HttpCode(200)
  @Roles('admin', 'maintenance', 'operator', 'planner')
  @ApiOkResponse({ description: 'The equipment with its new status' })
  change(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ChangeEquipmentStatusDto,
  ): Promise<Equipment> {
    return this.statuses.change(p, siteId, id, dto.status, dto.reason);
  }
}
