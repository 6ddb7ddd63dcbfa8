import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { CatalogCreateDto, CatalogUpdateDto } from '../catalog/catalog-dto';
import { OptionalNotNull } from '../../platform/errors/validation';
import { copyFields, type CatalogDefinition } from '../catalog/catalog-definition';
import { UNIT_DIMENSIONS, UnitOfMeasure, type UnitDimension } from './unit.entity';

export class CreateUnitDto extends CatalogCreateDto {
  @ApiProperty({ enum: UNIT_DIMENSIONS, example: 'count' })
  @IsIn(UNIT_DIMENSIONS)
  dimension: UnitDimension;

  @ApiPropertyOptional({ minimum: 0, maximum: 6, default: 0 })
  @OptionalNotNull() // left out it is 0; null is refused (the column holds no null)
  @IsInt()
  @Min(0)
  @Max(6)
  decimals?: number;
}

/** Any field of the create body except the code; plus the version read and a reason. */
export class UpdateUnitDto extends IntersectionType(
  CatalogUpdateDto,
  PartialType(OmitType(CreateUnitDto, ['code', 'name', 'nameZh'] as const)),
) {}

export const UNIT_CATALOG: CatalogDefinition<UnitOfMeasure> = {
  entity: UnitOfMeasure,
  entityType: 'unit_of_measure',
  path: 'units',
  title: 'Unit',
  createDto: CreateUnitDto,
  updateDto: UpdateUnitDto,
  writeRoles: ['admin', 'planner'],
  csv: [
    { name: 'code', kind: 'string', get: (u) => u.code },
    { name: 'name', kind: 'string', get: (u) => u.name },
    { name: 'nameZh', kind: 'string', get: (u) => u.nameZh },
    { name: 'dimension', kind: 'string', get: (u) => u.dimension },
    { name: 'decimals', kind: 'integer', get: (u) => u.decimals },
  ],
  sortProperties: ['dimension'],
  filters: { dimension: { property: 'dimension', kind: 'string' } },
  prepare: (_ctx, input) => Promise.resolve(copyFields<UnitOfMeasure>(input)),
};
