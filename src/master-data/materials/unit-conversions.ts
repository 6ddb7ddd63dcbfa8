import { Body, Controller, Get, Injectable, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { divide, formatFixed, multiply, parseDecimal, roundHalfUp } from '../../platform/engine/decimal';
import { DomainError, type FieldError, notFound } from '../../platform/errors/domain-error';
import { UuidParam } from '../../platform/http/uuid-param';
import { IsQuantity } from '../../platform/http/quantity';
import { assertCurrentVersion } from '../catalog/revisions';
import { MasterDataErrorCode } from '../master-data.errors';
import { UnitOfMeasure } from '../units/unit.entity';
import { Material } from './material.entity';
import { MaterialUnitConversion } from './unit-conversion.entity';

export class UnitConversionDto {
  @ApiProperty({ format: 'uuid', example: 'the BOX unit' }) @IsUUID() unitId: string;

  @ApiProperty({ example: '12', description: '1 of this unit = factor base units' })
  @Matches(/^\d{1,9}(\.\d{1,9})?$/, {
    message: 'factor must be a positive decimal with at most 9 integer and 9 fraction digits',
  })
  factor: string;
}

export class ReplaceConversionsDto {
  @ApiProperty({ description: "The material's version you read" }) @IsInt() @Min(1) version: number;

  @ApiProperty({ type: [UnitConversionDto] })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => UnitConversionDto)
  conversions: UnitConversionDto[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) reason?: string;
}

export class ConvertQueryDto {
  @ApiProperty({ example: '3' }) @IsQuantity('quantity') quantity: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() fromUnitId: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() toUnitId: string;
}

export interface ConversionView {
  unitId: string;
  unitCode: string;
  factor: string;
}

/** A material's alternative units. Quantities convert exactly (no floats), rounded to the target unit's decimals. */
@Injectable()
export class UnitConversionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async list(p: Principal, siteId: string, materialId: string): Promise<ConversionView[]> {
    assertSiteAccess(p, siteId);
    await this.material(this.dataSource.manager, siteId, materialId);
    return this.view(this.dataSource.manager, materialId);
  }

  async replace(
    p: Principal,
    siteId: string,
    materialId: string,
    dto: ReplaceConversionsDto,
  ): Promise<ConversionView[]> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const material = await this.material(tx.manager, siteId, materialId, true);
      assertCurrentVersion(`Material ${material.code}`, material.version, dto.version);
      const before = await this.view(tx.manager, materialId);
      const units = await tx.manager
        .getRepository(UnitOfMeasure)
        .findBy({ id: In(dto.conversions.map((c) => c.unitId)) });
      const byId = new Map(units.map((u) => [u.id, u]));
      const errors: FieldError[] = [];
      const seen = new Set<string>();
      dto.conversions.forEach((c, i) => {
        const unit = byId.get(c.unitId);
        if (seen.has(c.unitId)) errors.push({ field: `conversions[${i}].unitId`, message: 'listed twice' });
        seen.add(c.unitId);
        if (!unit || unit.siteId !== siteId)
          errors.push({ field: `conversions[${i}].unitId`, message: `no unit ${c.unitId} at this site` });
        else if (!unit.active && !before.some((b) => b.unitId === unit.id))
          errors.push({ field: `conversions[${i}].unitId`, message: `unit ${unit.code} is deactivated` });
        if (c.unitId === material.baseUnitId)
          errors.push({
            field: `conversions[${i}].unitId`,
            message: 'the base unit converts 1:1 by definition',
          });
        if (/^0+(\.0+)?$/.test(c.factor))
          errors.push({ field: `conversions[${i}].factor`, message: 'factor must be greater than 0' });
      });
      if (errors.length)
        throw new DomainError(
          'unprocessable',
          MasterDataErrorCode.INVALID_REFERENCE,
          'The conversions cannot be saved as given',
          { errors },
        );
      await tx.manager.delete(MaterialUnitConversion, { materialId });
      if (dto.conversions.length)
        await tx.manager.insert(
          MaterialUnitConversion,
          dto.conversions.map((c) => ({ materialId, unitId: c.unitId, factor: c.factor })),
        );
      await tx.manager.query('UPDATE material SET version = version + 1, updated_at = now() WHERE id = $1', [
        materialId,
      ]);
      const after = await this.view(tx.manager, materialId);
      await this.audit.record(tx, {
        entityType: 'material',
        entityId: materialId,
        siteId,
        action: 'material.conversions_changed',
        before: { conversions: before },
        after: { conversions: after },
        reason: dto.reason,
      });
      tx.raise('master-data.record.changed', {
        entityType: 'material',
        id: materialId,
        siteId,
        code: material.code,
        action: 'conversions_changed',
        active: material.active,
        version: material.version + 1,
      });
      return after;
    });
  }

  /** Converts a quantity of the material between two of its units (base unit or alternatives). */
  async convert(
    p: Principal,
    siteId: string,
    materialId: string,
    q: ConvertQueryDto,
  ): Promise<{ quantity: string; unitId: string; precise: string }> {
    assertSiteAccess(p, siteId);
    const manager = this.dataSource.manager;
    const material = await this.material(manager, siteId, materialId);
    const conversions = await manager.getRepository(MaterialUnitConversion).findBy({ materialId });
    const factorOf = (unitId: string, field: string): string => {
      if (unitId === material.baseUnitId) return '1';
      const c = conversions.find((x) => x.unitId === unitId);
      if (!c) {
        throw new DomainError(
          'unprocessable',
          MasterDataErrorCode.INVALID_REFERENCE,
          `${material.code} has no conversion for that unit`,
          {
            errors: [{ field, message: `not a unit of material ${material.code}` }],
          },
        );
      }
      return c.factor;
    };
    const inBase = multiply(parseDecimal(q.quantity), parseDecimal(factorOf(q.fromUnitId, 'fromUnitId')));
    const result = divide(inBase, parseDecimal(factorOf(q.toUnitId, 'toUnitId')));
    const target = await manager.getRepository(UnitOfMeasure).findOneByOrFail({ id: q.toUnitId });
    return {
      quantity: formatFixed(roundHalfUp(result, target.decimals), target.decimals),
      unitId: q.toUnitId,
      // 100 PCS in boxes of 12 is 8.333… BOX: the unrounded value to 9 decimals, for whoever needs more.
      precise: formatFixed(roundHalfUp(result, 9), 9),
    };
  }

  private async material(
    manager: EntityManager,
    siteId: string,
    id: string,
    lock = false,
  ): Promise<Material> {
    const m = await manager
      .getRepository(Material)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!m || m.siteId !== siteId) throw notFound('material', id);
    return m;
  }

  private async view(manager: EntityManager, materialId: string): Promise<ConversionView[]> {
    const rows = await manager.getRepository(MaterialUnitConversion).findBy({ materialId });
    const units = new Map(
      (await manager.getRepository(UnitOfMeasure).findBy({ id: In(rows.map((r) => r.unitId)) })).map((u) => [
        u.id,
        u.code,
      ]),
    );
    return rows
      .map((r) => ({ unitId: r.unitId, unitCode: units.get(r.unitId) ?? '', factor: r.factor }))
      .sort((a, b) => a.unitCode.localeCompare(b.unitCode));
  }
}

@ApiTags('master data: materials')
@Controller('sites/:siteId/materials/:id')
export class UnitConversionsController {
  constructor(private readonly conversions: UnitConversionsService) {}

  @Get('conversions')
  @ApiOkResponse({ description: "The material's alternative units and their factors to the base unit" })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<ConversionView[]> {
    return this.conversions.list(p, siteId, id);
  }

  @Put('conversions')
  @Roles('admin', 'planner')
  @ApiOkResponse({ description: 'Replaced; the material version goes up by one' })
  replace(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ReplaceConversionsDto,
  ): Promise<ConversionView[]> {
    return this.conversions.replace(p, siteId, id, dto);
  }

  @Get('convert')
  @ApiOkResponse({
    description: 'The quantity in the target unit, rounded to its decimals (and to 9 decimals)',
  })
  convert(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Query() q: ConvertQueryDto,
  ) {
    return this.conversions.convert(p, siteId, id, q);
  }
}
