import { Body, Controller, Get, Injectable, Put } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError, PlatformErrorCode } from '../../platform/errors/domain-error';
import { OptionalNotNull } from '../../platform/errors/validation';
import { UuidParam } from '../../platform/http/uuid-param';
import { DEFAULT_LOT_CODE_PATTERN, validateLotCodePattern } from '../../master-data/master-data.facade';
import { ProductionErrorCode } from '../production.errors';
import {
  BACKFLUSH_STRATEGIES,
  ProductionSettings,
  type BackflushStrategy,
} from './production-settings.entity';

export class UpdateProductionSettingsDto {
  @ApiPropertyOptional({ description: 'Version read; refused when someone changed the settings since' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number;

  @ApiPropertyOptional({ example: '0.02', description: 'Over-report tolerance share (0 to 1)' })
  @IsOptional()
  @Matches(/^(0(\.\d{1,6})?|1(\.0{1,6})?)$/, { message: 'overReportTolerance must be a decimal from 0 to 1' })
  overReportTolerance?: string;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() allowMultipleOperators?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() allowConcurrentOperations?: boolean;

  @ApiPropertyOptional({ enum: BACKFLUSH_STRATEGIES })
  @IsOptional()
  @IsIn(BACKFLUSH_STRATEGIES)
  backflushStrategy?: BackflushStrategy;

  @ApiPropertyOptional({ example: DEFAULT_LOT_CODE_PATTERN })
  @OptionalNotNull() // a site always has a default pattern: null is refused, not checked as a pattern
  @IsString()
  @MaxLength(64)
  defaultLotCodePattern?: string;
}

/** A site's shop-floor rules: tolerance, crews, concurrent operations, backflush order, lot code default. */
@Injectable()
export class ProductionSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async of(siteId: string, manager: EntityManager = this.dataSource.manager): Promise<ProductionSettings> {
    const row = await manager.getRepository(ProductionSettings).findOneBy({ siteId });
    return (
      row ??
      manager.getRepository(ProductionSettings).create({
        siteId,
        overReportTolerance: '0',
        allowMultipleOperators: true,
        allowConcurrentOperations: false,
        backflushStrategy: 'fifo',
        defaultLotCodePattern: DEFAULT_LOT_CODE_PATTERN,
        version: 0,
      })
    );
  }

  get(p: Principal, siteId: string): Promise<ProductionSettings> {
    assertSiteAccess(p, siteId);
    return this.of(siteId);
  }

  update(p: Principal, siteId: string, dto: UpdateProductionSettingsDto): Promise<ProductionSettings> {
    assertSiteAccess(p, siteId);
    if (dto.defaultLotCodePattern !== undefined) {
      const problem = validateLotCodePattern(dto.defaultLotCodePattern);
      if (problem) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The settings are invalid', {
          errors: [{ field: 'defaultLotCodePattern', message: problem }],
        });
      }
    }
    return this.tx.run(async (tx) => {
      // The site row serialises concurrent edits of a site's settings (there may be no settings row yet).
      await tx.manager.query(`SELECT 1 FROM site WHERE id = $1 FOR UPDATE`, [siteId]);
      const before = await this.of(siteId, tx.manager);
      if (dto.expectedVersion !== undefined && dto.expectedVersion !== before.version) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.STALE_VERSION,
          `The production settings were changed by someone else (version ${before.version}); reload and try again`,
          { extensions: { currentVersion: before.version } },
        );
      }
      const next = {
        overReportTolerance: dto.overReportTolerance ?? before.overReportTolerance,
        allowMultipleOperators: dto.allowMultipleOperators ?? before.allowMultipleOperators,
        allowConcurrentOperations: dto.allowConcurrentOperations ?? before.allowConcurrentOperations,
        backflushStrategy: dto.backflushStrategy ?? before.backflushStrategy,
        defaultLotCodePattern: dto.defaultLotCodePattern ?? before.defaultLotCodePattern,
      };
      await tx.manager.query(
        `INSERT INTO production_settings (site_id, over_report_tolerance, allow_multiple_operators,
                allow_concurrent_operations, backflush_strategy, default_lot_code_pattern, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (site_id) DO UPDATE SET over_report_tolerance = EXCLUDED.over_report_tolerance,
                allow_multiple_operators = EXCLUDED.allow_multiple_operators,
                allow_concurrent_operations = EXCLUDED.allow_concurrent_operations,
                backflush_strategy = EXCLUDED.backflush_strategy,
                default_lot_code_pattern = EXCLUDED.default_lot_code_pattern,
                version = EXCLUDED.version, updated_at = now()`,
        [
          siteId,
          next.overReportTolerance,
          next.allowMultipleOperators,
          next.allowConcurrentOperations,
          next.backflushStrategy,
          next.defaultLotCodePattern,
          before.version + 1,
        ],
      );
      const after = await this.of(siteId, tx.manager);
      await this.audit.record(tx, {
        entityType: 'production_settings',
        entityId: siteId,
        siteId,
        action: 'production_settings.updated',
        before,
        after,
      });
      return after;
    });
  }
}

@ApiTags('production')
@Controller('sites/:siteId/production-settings')
export class ProductionSettingsController {
  constructor(private readonly settings: ProductionSettingsService) {}

  @Get()
  @ApiOkResponse({ description: 'The site production settings (defaults when never set, version 0)' })
  get(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): Promise<ProductionSettings> {
    return this.settings.get(p, siteId);
  }

  @Put()
  @Roles('admin', 'planner')
  @ApiOkResponse({ description: 'The updated settings' })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: UpdateProductionSettingsDto,
  ): Promise<ProductionSettings> {
    return this.settings.update(p, siteId, dto);
  }
}
