import { Body, Controller, Get, Injectable, Put } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError } from '../../platform/errors/domain-error';
import { UuidParam } from '../../platform/http/uuid-param';
import type { AllocationPolicy } from '../engine/allocation';
import { InventoryErrorCode } from '../inventory.errors';
import { ALLOCATION_POLICIES, InventorySettings } from './inventory-settings.entity';

export class UpdateInventorySettingsDto {
  @ApiPropertyOptional({ description: 'Version read; refused when someone changed the settings since' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number;

  @ApiPropertyOptional({
    enum: ALLOCATION_POLICIES,
    description: 'fifo: oldest receipt first; fefo: earliest expiry',
  })
  @IsOptional()
  @IsIn(ALLOCATION_POLICIES)
  allocationPolicy?: AllocationPolicy;
}

/** A site's warehouse rules (FIFO or FEFO allocation). */
@Injectable()
export class InventorySettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async of(siteId: string, manager: EntityManager = this.dataSource.manager): Promise<InventorySettings> {
    const row = await manager.getRepository(InventorySettings).findOneBy({ siteId });
    return (
      row ?? manager.getRepository(InventorySettings).create({ siteId, allocationPolicy: 'fifo', version: 0 })
    );
  }

  get(p: Principal, siteId: string): Promise<InventorySettings> {
    assertSiteAccess(p, siteId);
    return this.of(siteId);
  }

  update(p: Principal, siteId: string, dto: UpdateInventorySettingsDto): Promise<InventorySettings> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      // The site row serialises concurrent edits (there may be no settings row yet).
      await tx.manager.query(`SELECT 1 FROM site WHERE id = $1 FOR UPDATE`, [siteId]);
      const before = await this.of(siteId, tx.manager);
      if (dto.expectedVersion !== undefined && dto.expectedVersion !== before.version) {
        throw new DomainError(
          'conflict',
          InventoryErrorCode.STALE_VERSION,
          `The inventory settings were changed by someone else (version ${before.version}); reload and try again`,
          { extensions: { currentVersion: before.version } },
        );
      }
      await tx.manager.query(
        `INSERT INTO inventory_settings (site_id, allocation_policy, version, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (site_id) DO UPDATE SET allocation_policy = EXCLUDED.allocation_policy,
                version = EXCLUDED.version, updated_at = now()`,
        [siteId, dto.allocationPolicy ?? before.allocationPolicy, before.version + 1],
      );
      const after = await this.of(siteId, tx.manager);
      await this.audit.record(tx, {
        entityType: 'inventory_settings',
        entityId: siteId,
        siteId,
        action: 'inventory_settings.updated',
        before,
        after,
      });
      return after;
    });
  }
}

@ApiTags('inventory')
@Controller('sites/:siteId/inventory-settings')
export class InventorySettingsController {
  constructor(private readonly settings: InventorySettingsService) {}

  @Get()
  @ApiOkResponse({ description: 'The site inventory settings (defaults when never set, version 0)' })
  get(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): Promise<InventorySettings> {
    return this.settings.get(p, siteId);
  }

  @Put()
  @Roles('admin', 'warehouse')
  @ApiOkResponse({ description: 'The updated settings' })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: UpdateInventorySettingsDto,
  ): Promise<InventorySettings> {
    return this.settings.update(p, siteId, dto);
  }
}
