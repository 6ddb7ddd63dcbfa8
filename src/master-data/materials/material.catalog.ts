import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { FieldError } from '../../platform/errors/domain-error';
import { OptionalNotNull } from '../../platform/errors/validation';
import { CatalogCreateDto, CatalogUpdateDto } from '../catalog/catalog-dto';
import { copyFields, type CatalogDefinition } from '../catalog/catalog-definition';
import { IsQuantity } from '../../platform/http/quantity';
import { checkReference, compact } from '../catalog/references';
import { StorageLocation } from '../locations/storage-location.entity';
import { UnitOfMeasure } from '../units/unit.entity';
import { validateLotCodePattern } from './engine/lot-code';
import { Material, MATERIAL_CLASSES, type MaterialClass } from './material.entity';

const PUT_AWAY_TYPES = ['warehouse', 'zone', 'bin', 'line_side'];
const BARCODE = /^[\x20-\x7E]{1,100}$/;

export class CreateMaterialDto extends CatalogCreateDto {
  @ApiPropertyOptional({ example: 'ISO 4017, 8.8, zinc plated' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  specification?: string;

  @ApiProperty({ enum: MATERIAL_CLASSES })
  @IsIn(MATERIAL_CLASSES)
  materialClass: MaterialClass;

  @ApiProperty({ format: 'uuid', description: 'Base unit of measure' })
  @IsUUID()
  baseUnitId: string;

  // Left out, these take their defaults; null is refused (the columns hold no null).
  @ApiPropertyOptional({ default: false }) @OptionalNotNull() @IsBoolean() lotTracked?: boolean;
  @ApiPropertyOptional({ default: false }) @OptionalNotNull() @IsBoolean() serialTracked?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 36500 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36500)
  shelfLifeDays?: number;

  @ApiPropertyOptional({ default: false }) @OptionalNotNull() @IsBoolean() inspectionRequired?: boolean;

  @ApiPropertyOptional({ example: '200', description: 'Decimal, in the base unit' })
  @OptionalNotNull()
  @IsQuantity('safetyStock')
  safetyStock?: string;

  @ApiPropertyOptional({ example: '350', description: 'Decimal, in the base unit' })
  @OptionalNotNull()
  @IsQuantity('reorderPoint')
  reorderPoint?: string;

  @ApiPropertyOptional({
    example: '500',
    description:
      'Order or production lot size: a replenishment suggestion brings stock up to reorder point + lot size',
  })
  @OptionalNotNull()
  @IsQuantity('lotSize')
  lotSize?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Default storage location (warehouse, zone, bin or line-side)',
  })
  @IsOptional()
  @IsUUID()
  defaultLocationId?: string;

  @ApiPropertyOptional({
    example: '{MAT}-{YYMMDD}-{SEQ:3}',
    description:
      'Lot code rule: tokens {MAT} {WO} {SITE} {YYYY} {YY} {MM} {DD} {YYMMDD} {YYYYMMDD} and {SEQ} or {SEQ:n}',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lotCodePattern?: string;

  @ApiPropertyOptional({ example: '(01)06901234567892' })
  @IsOptional()
  @Matches(BARCODE, { message: 'barcode must be 1-100 printable ASCII characters (GS1 / Code 128)' })
  barcode?: string;
}

/** Any field of the create body except the code; plus the version read and a reason. */
export class UpdateMaterialDto extends IntersectionType(
  CatalogUpdateDto,
  PartialType(OmitType(CreateMaterialDto, ['code', 'name', 'nameZh'] as const)),
) {}

export const MATERIAL_CATALOG: CatalogDefinition<Material> = {
  entity: Material,
  entityType: 'material',
  path: 'materials',
  title: 'Material',
  createDto: CreateMaterialDto,
  updateDto: UpdateMaterialDto,
  writeRoles: ['admin', 'planner'],
  csv: [
    { name: 'code', kind: 'string', get: (m) => m.code },
    { name: 'name', kind: 'string', get: (m) => m.name },
    { name: 'nameZh', kind: 'string', get: (m) => m.nameZh },
    { name: 'specification', kind: 'string', get: (m) => m.specification },
    { name: 'materialClass', kind: 'string', get: (m) => m.materialClass },
    {
      name: 'baseUnit',
      kind: 'string',
      get: (m) => m.baseUnitId,
      ref: { entity: UnitOfMeasure, property: 'baseUnitId', title: 'unit' },
    },
    { name: 'lotTracked', kind: 'boolean', get: (m) => m.lotTracked },
    { name: 'serialTracked', kind: 'boolean', get: (m) => m.serialTracked },
    { name: 'shelfLifeDays', kind: 'integer', get: (m) => m.shelfLifeDays },
    { name: 'inspectionRequired', kind: 'boolean', get: (m) => m.inspectionRequired },
    { name: 'safetyStock', kind: 'decimal', get: (m) => m.safetyStock },
    { name: 'reorderPoint', kind: 'decimal', get: (m) => m.reorderPoint },
    { name: 'lotSize', kind: 'decimal', get: (m) => m.lotSize },
    {
      name: 'defaultLocation',
      kind: 'string',
      get: (m) => m.defaultLocationId,
      ref: { entity: StorageLocation, property: 'defaultLocationId', title: 'location' },
    },
    { name: 'barcode', kind: 'string', get: (m) => m.barcode },
    { name: 'lotCodePattern', kind: 'string', get: (m) => m.lotCodePattern },
  ],
  searchProperties: ['specification', 'barcode'],
  sortProperties: ['materialClass'],
  filters: {
    materialClass: { property: 'materialClass', kind: 'string' },
    baseUnitId: { property: 'baseUnitId', kind: 'uuid' },
    barcode: { property: 'barcode', kind: 'string' },
  },
  prepare: async ({ manager, siteId, existing }, input) => {
    const errors: Array<FieldError | undefined> = [
      await checkReference(
        manager,
        UnitOfMeasure,
        siteId,
        'baseUnitId',
        input.baseUnitId as string | undefined,
        'unit',
        {
          unchangedFrom: existing?.baseUnitId,
        },
      ),
    ];
    errors.push(
      await checkReference(
        manager,
        StorageLocation,
        siteId,
        'defaultLocationId',
        input.defaultLocationId as string | undefined,
        'location',
        {
          unchangedFrom: existing?.defaultLocationId,
        },
      ),
    );
    if (
      typeof input.defaultLocationId === 'string' &&
      input.defaultLocationId !== existing?.defaultLocationId
    ) {
      const location = await manager
        .getRepository(StorageLocation)
        .findOneBy({ id: input.defaultLocationId });
      if (location && location.siteId === siteId && !PUT_AWAY_TYPES.includes(location.locationType)) {
        errors.push({
          field: 'defaultLocationId',
          message: `stock is not put away in a ${location.locationType} location`,
        });
      }
    }
    if (typeof input.lotCodePattern === 'string') {
      const problem = validateLotCodePattern(input.lotCodePattern);
      if (problem) errors.push({ field: 'lotCodePattern', message: problem });
    }
    // Stock is held in the base unit: changing it would silently rescale every quantity on record.
    if (existing && input.baseUnitId !== undefined && input.baseUnitId !== existing.baseUnitId) {
      errors.push({
        field: 'baseUnitId',
        message: 'the base unit of an existing material cannot change; create a new material',
      });
    }
    return { values: copyFields<Material>(input).values, errors: compact(errors) };
  },
};
