import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsQuantity } from '../../platform/http/quantity';
import { CatalogCreateDto, CatalogUpdateDto } from '../catalog/catalog-dto';
import { copyFields, type CatalogDefinition } from '../catalog/catalog-definition';
import { checkReference, compact } from '../catalog/references';
import { Area } from './area.entity';
import { Equipment } from './equipment.entity';
import { ProductionLine } from './production-line.entity';
import { WorkCenter } from './work-center.entity';

const WRITE = ['admin'] as const;
const BASE_CSV = <E extends { code: string; name: string; nameZh: string | null }>() => [
  { name: 'code', kind: 'string' as const, get: (r: E) => r.code },
  { name: 'name', kind: 'string' as const, get: (r: E) => r.name },
  { name: 'nameZh', kind: 'string' as const, get: (r: E) => r.nameZh },
];

// ---- areas -------------------------------------------------------------------------------------------

export class CreateAreaDto extends CatalogCreateDto {}
export class UpdateAreaDto extends CatalogUpdateDto {}

export const AREA_CATALOG: CatalogDefinition<Area> = {
  entity: Area,
  entityType: 'area',
  path: 'areas',
  title: 'Area',
  createDto: CreateAreaDto,
  updateDto: UpdateAreaDto,
  writeRoles: [...WRITE],
  csv: BASE_CSV<Area>(),
  prepare: (_ctx, input) => Promise.resolve(copyFields<Area>(input)),
};

// ---- production lines --------------------------------------------------------------------------------

export class CreateLineDto extends CatalogCreateDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  areaId: string;
}

/** Any field of the create body except the code; plus the version read and a reason. */
export class UpdateLineDto extends IntersectionType(
  CatalogUpdateDto,
  PartialType(OmitType(CreateLineDto, ['code', 'name', 'nameZh'] as const)),
) {}

export const LINE_CATALOG: CatalogDefinition<ProductionLine> = {
  entity: ProductionLine,
  entityType: 'production_line',
  path: 'lines',
  title: 'Production line',
  createDto: CreateLineDto,
  updateDto: UpdateLineDto,
  writeRoles: [...WRITE],
  csv: [
    ...BASE_CSV<ProductionLine>(),
    {
      name: 'area',
      kind: 'string',
      get: (r) => r.areaId,
      ref: { entity: Area, property: 'areaId', title: 'area' },
    },
  ],
  filters: { areaId: { property: 'areaId', kind: 'uuid' } },
  prepare: async ({ manager, siteId, existing }, input) => ({
    values: copyFields<ProductionLine>(input).values,
    errors: compact([
      await checkReference(manager, Area, siteId, 'areaId', input.areaId as string | undefined, 'area', {
        unchangedFrom: existing?.areaId,
      }),
    ]),
  }),
};

// ---- work centers ------------------------------------------------------------------------------------

export class CreateWorkCenterDto extends CatalogCreateDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  lineId: string;

  @ApiPropertyOptional({
    example: '60',
    description: "Cost of an hour of operator labour here, in the site's currency (work order costs)",
  })
  @IsOptional()
  @IsQuantity('labourRatePerHour')
  labourRatePerHour?: string;
}

/** Any field of the create body except the code; plus the version read and a reason. */
export class UpdateWorkCenterDto extends IntersectionType(
  CatalogUpdateDto,
  PartialType(OmitType(CreateWorkCenterDto, ['code', 'name', 'nameZh'] as const)),
) {}

export const WORK_CENTER_CATALOG: CatalogDefinition<WorkCenter> = {
  entity: WorkCenter,
  entityType: 'work_center',
  path: 'work-centers',
  title: 'Work center',
  createDto: CreateWorkCenterDto,
  updateDto: UpdateWorkCenterDto,
  writeRoles: [...WRITE],
  csv: [
    ...BASE_CSV<WorkCenter>(),
    {
      name: 'line',
      kind: 'string',
      get: (r) => r.lineId,
      ref: { entity: ProductionLine, property: 'lineId', title: 'production line' },
    },
    { name: 'labourRatePerHour', kind: 'decimal', get: (r) => r.labourRatePerHour },
  ],
  filters: { lineId: { property: 'lineId', kind: 'uuid' } },
  prepare: async ({ manager, siteId, existing }, input) => ({
    values: copyFields<WorkCenter>(input).values,
    errors: compact([
      await checkReference(
        manager,
        ProductionLine,
        siteId,
        'lineId',
        input.lineId as string | undefined,
        'production line',
        { unchangedFrom: existing?.lineId },
      ),
    ]),
  }),
};

// ---- equipment ---------------------------------------------------------------------------------------

const CAPABILITY = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class CreateEquipmentDto extends CatalogCreateDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  workCenterId: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(CAPABILITY, {
    each: true,
    message: 'each capability must be lower-case letters, digits, . _ or -',
  })
  capabilities?: string[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) manufacturer?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) model?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) serialNumber?: string;

  @ApiPropertyOptional({
    example: '80',
    description: "Cost of an hour of this machine running, in the site's currency (work order costs)",
  })
  @IsOptional()
  @IsQuantity('hourlyRate')
  hourlyRate?: string;
}

/** Any field of the create body except the code; plus the version read and a reason. */
export class UpdateEquipmentDto extends IntersectionType(
  CatalogUpdateDto,
  PartialType(OmitType(CreateEquipmentDto, ['code', 'name', 'nameZh'] as const)),
) {}

export const EQUIPMENT_CATALOG: CatalogDefinition<Equipment> = {
  entity: Equipment,
  entityType: 'equipment',
  path: 'equipment',
  title: 'Equipment',
  createDto: CreateEquipmentDto,
  updateDto: UpdateEquipmentDto,
  writeRoles: [...WRITE, 'maintenance'],
  csv: [
    ...BASE_CSV<Equipment>(),
    {
      name: 'workCenter',
      kind: 'string',
      get: (r) => r.workCenterId,
      ref: { entity: WorkCenter, property: 'workCenterId', title: 'work center' },
    },
    { name: 'capabilities', kind: 'list', get: (r) => r.capabilities.join('|') },
    { name: 'manufacturer', kind: 'string', get: (r) => r.manufacturer },
    { name: 'model', kind: 'string', get: (r) => r.model },
    { name: 'serialNumber', kind: 'string', get: (r) => r.serialNumber },
    { name: 'hourlyRate', kind: 'decimal', get: (r) => r.hourlyRate },
  ],
  searchProperties: ['manufacturer', 'model', 'serialNumber'],
  sortProperties: ['status'],
  filters: {
    workCenterId: { property: 'workCenterId', kind: 'uuid' },
    status: { property: 'status', kind: 'string' },
  },
  prepare: async ({ manager, siteId, existing }, input) => ({
    values: copyFields<Equipment>(input).values,
    errors: compact([
      await checkReference(
        manager,
        WorkCenter,
        siteId,
        'workCenterId',
        input.workCenterId as string | undefined,
        'work center',
        {
          unchangedFrom: existing?.workCenterId,
        },
      ),
    ]),
  }),
};
