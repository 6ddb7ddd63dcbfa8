import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CatalogCreateDto, CatalogUpdateDto } from '../catalog/catalog-dto';
import { copyFields, type CatalogDefinition } from '../catalog/catalog-definition';
import { REASON_CATEGORIES, ReasonCode, type ReasonCategory } from './reason-code.entity';

export class CreateReasonCodeDto extends CatalogCreateDto {
  @ApiProperty({ enum: REASON_CATEGORIES })
  @IsIn(REASON_CATEGORIES)
  category: ReasonCategory;
}

/** The category is fixed once created: reports group history by it. */
export class UpdateReasonCodeDto extends CatalogUpdateDto {}

export const REASON_CODE_CATALOG: CatalogDefinition<ReasonCode> = {
  entity: ReasonCode,
  entityType: 'reason_code',
  path: 'reason-codes',
  title: 'Reason code',
  createDto: CreateReasonCodeDto,
  updateDto: UpdateReasonCodeDto,
  writeRoles: ['admin', 'quality', 'maintenance'],
  csv: [
    { name: 'code', kind: 'string', get: (r) => r.code },
    { name: 'name', kind: 'string', get: (r) => r.name },
    { name: 'nameZh', kind: 'string', get: (r) => r.nameZh },
    { name: 'category', kind: 'string', get: (r) => r.category },
  ],
  sortProperties: ['category'],
  filters: { category: { property: 'category', kind: 'string' } },
  prepare: ({ existing }, input) => {
    const { values } = copyFields<ReasonCode>(input);
    const errors =
      existing && input.category !== undefined && input.category !== existing.category
        ? [{ field: 'category', message: 'the category of an existing reason code cannot change' }]
        : [];
    return Promise.resolve({ values, errors });
  },
};
