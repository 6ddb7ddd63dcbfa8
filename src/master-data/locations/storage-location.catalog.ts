import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { FieldError } from '../../platform/errors/domain-error';
import { CatalogCreateDto, CatalogUpdateDto } from '../catalog/catalog-dto';
import { copyFields, type CatalogDefinition } from '../catalog/catalog-definition';
import { IsQuantity } from '../../platform/http/quantity';
import { checkReference } from '../catalog/references';
import { ProductionLine } from '../hierarchy/production-line.entity';
import { WorkCenter } from '../hierarchy/work-center.entity';
import { Partner } from '../partners/partner.entity';
import { UnitOfMeasure } from '../units/unit.entity';
import { LOCATION_TYPES, StorageLocation, type LocationType } from './storage-location.entity';
import { inTurn } from '../../platform/database/in-turn';

export class CreateStorageLocationDto extends CatalogCreateDto {
  @ApiProperty({ enum: LOCATION_TYPES })
  @IsIn(LOCATION_TYPES)
  locationType: LocationType;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() parentId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() lineId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() workCenterId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() partnerId?: string;
  @ApiPropertyOptional({ example: '120' }) @IsOptional() @IsQuantity('capacity') capacity?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() capacityUnitId?: string;
}

/** Any field of the create body but the code and the type (stock and documents are kept by it); plus the version read and a reason. */
export class UpdateStorageLocationDto extends IntersectionType(
  CatalogUpdateDto,
  PartialType(OmitType(CreateStorageLocationDto, ['code', 'name', 'nameZh', 'locationType'] as const)),
) {}

/** Which parent types each type may have (none listed: no parent). */
const PARENT_TYPES: Record<LocationType, LocationType[]> = {
  warehouse: [],
  zone: ['warehouse'],
  bin: ['zone', 'warehouse'],
  line_side: [],
  wip: [],
  quarantine: ['warehouse', 'zone'],
  scrap: ['warehouse', 'zone'],
  supplier: [],
};

async function checkStructure(
  manager: EntityManager,
  siteId: string,
  type: LocationType,
  merged: {
    id?: string;
    parentId: string | null;
    lineId: string | null;
    partnerId: string | null;
    capacity: string | null;
    capacityUnitId: string | null;
  },
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const allowed = PARENT_TYPES[type];
  if (merged.parentId) {
    if (allowed.length === 0) errors.push({ field: 'parentId', message: `a ${type} location has no parent` });
    else {
      const parent = await manager.getRepository(StorageLocation).findOneBy({ id: merged.parentId });
      if (parent && parent.siteId === siteId && !allowed.includes(parent.locationType)) {
        errors.push({
          field: 'parentId',
          message: `a ${type} belongs in a ${allowed.join(' or ')}, not in a ${parent.locationType}`,
        });
      }
      if (merged.id && merged.parentId === merged.id)
        errors.push({ field: 'parentId', message: 'a location cannot contain itself' });
    }
  } else if (type === 'zone' || type === 'bin') {
    errors.push({ field: 'parentId', message: `a ${type} needs its ${allowed.join(' or ')}` });
  }
  if (type === 'line_side' && !merged.lineId)
    errors.push({ field: 'lineId', message: 'a line-side location names its line' });
  if (type === 'supplier') {
    if (!merged.partnerId)
      errors.push({ field: 'partnerId', message: 'a supplier location names its supplier' });
    else {
      const partner = await manager.getRepository(Partner).findOneBy({ id: merged.partnerId });
      if (partner && partner.siteId === siteId && !partner.isSupplier)
        errors.push({ field: 'partnerId', message: `${partner.code} is not a supplier` });
    }
  }
  if ((merged.capacity === null) !== (merged.capacityUnitId === null)) {
    errors.push({ field: 'capacityUnitId', message: 'capacity and its unit go together' });
  }
  return errors;
}

export const STORAGE_LOCATION_CATALOG: CatalogDefinition<StorageLocation> = {
  entity: StorageLocation,
  entityType: 'storage_location',
  path: 'locations',
  title: 'Storage location',
  createDto: CreateStorageLocationDto,
  updateDto: UpdateStorageLocationDto,
  writeRoles: ['admin', 'warehouse'],
  csv: [
    { name: 'code', kind: 'string', get: (l) => l.code },
    { name: 'name', kind: 'string', get: (l) => l.name },
    { name: 'nameZh', kind: 'string', get: (l) => l.nameZh },
    { name: 'locationType', kind: 'string', get: (l) => l.locationType },
    {
      name: 'parent',
      kind: 'string',
      get: (l) => l.parentId,
      ref: { entity: StorageLocation, property: 'parentId', title: 'location' },
    },
    {
      name: 'line',
      kind: 'string',
      get: (l) => l.lineId,
      ref: { entity: ProductionLine, property: 'lineId', title: 'production line' },
    },
    {
      name: 'workCenter',
      kind: 'string',
      get: (l) => l.workCenterId,
      ref: { entity: WorkCenter, property: 'workCenterId', title: 'work center' },
    },
    {
      name: 'partner',
      kind: 'string',
      get: (l) => l.partnerId,
      ref: { entity: Partner, property: 'partnerId', title: 'partner' },
    },
    { name: 'capacity', kind: 'decimal', get: (l) => l.capacity },
    {
      name: 'capacityUnit',
      kind: 'string',
      get: (l) => l.capacityUnitId,
      ref: { entity: UnitOfMeasure, property: 'capacityUnitId', title: 'unit' },
    },
  ],
  sortProperties: ['locationType'],
  filters: {
    locationType: { property: 'locationType', kind: 'string' },
    parentId: { property: 'parentId', kind: 'uuid' },
    lineId: { property: 'lineId', kind: 'uuid' },
  },
  prepare: async ({ manager, siteId, existing }, input) => {
    const type = existing?.locationType ?? (input.locationType as LocationType);
    const pick = <
      K extends 'parentId' | 'lineId' | 'workCenterId' | 'partnerId' | 'capacity' | 'capacityUnitId',
    >(
      k: K,
    ): string | null => (input[k] as string | undefined) ?? existing?.[k] ?? null;
    const merged = {
      id: existing?.id,
      parentId: pick('parentId'),
      lineId: pick('lineId'),
      partnerId: pick('partnerId'),
      capacity: pick('capacity'),
      capacityUnitId: pick('capacityUnitId'),
    };
    const refs = await inTurn(
      () =>
        checkReference(
          manager,
          StorageLocation,
          siteId,
          'parentId',
          input.parentId as string | undefined,
          'location',
          { unchangedFrom: existing?.parentId },
        ),
      () =>
        checkReference(
          manager,
          ProductionLine,
          siteId,
          'lineId',
          input.lineId as string | undefined,
          'production line',
          { unchangedFrom: existing?.lineId },
        ),
      () =>
        checkReference(
          manager,
          WorkCenter,
          siteId,
          'workCenterId',
          input.workCenterId as string | undefined,
          'work center',
          { unchangedFrom: existing?.workCenterId },
        ),
      () =>
        checkReference(
          manager,
          Partner,
          siteId,
          'partnerId',
          input.partnerId as string | undefined,
          'partner',
          { unchangedFrom: existing?.partnerId },
        ),
      () =>
        checkReference(
          manager,
          UnitOfMeasure,
          siteId,
          'capacityUnitId',
          input.capacityUnitId as string | undefined,
          'unit',
          { unchangedFrom: existing?.capacityUnitId },
        ),
    );
    const errors = refs.filter((e): e is FieldError => e !== undefined);
    if (errors.length === 0) errors.push(...(await checkStructure(manager, siteId, type, merged)));
    return { values: copyFields<StorageLocation>(input).values, errors };
  },
};
