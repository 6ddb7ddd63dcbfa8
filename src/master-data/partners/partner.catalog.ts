import { ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CatalogCreateDto, CatalogUpdateDto } from '../catalog/catalog-dto';
import { copyFields, type CatalogDefinition } from '../catalog/catalog-definition';
import { Partner } from './partner.entity';

export class CreatePartnerDto extends CatalogCreateDto {
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() isSupplier?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() isCustomer?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) contactName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(200) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) address?: string;
  @ApiPropertyOptional({ example: 'CN' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166 two-letter code' })
  country?: string;
}

/** Any field of the create body except the code; plus the version read and a reason. */
export class UpdatePartnerDto extends IntersectionType(
  CatalogUpdateDto,
  PartialType(OmitType(CreatePartnerDto, ['code', 'name', 'nameZh'] as const)),
) {}

export const PARTNER_CATALOG: CatalogDefinition<Partner> = {
  entity: Partner,
  entityType: 'partner',
  path: 'partners',
  title: 'Partner',
  createDto: CreatePartnerDto,
  updateDto: UpdatePartnerDto,
  writeRoles: ['admin', 'planner', 'quality'],
  csv: [
    { name: 'code', kind: 'string', get: (p) => p.code },
    { name: 'name', kind: 'string', get: (p) => p.name },
    { name: 'nameZh', kind: 'string', get: (p) => p.nameZh },
    { name: 'isSupplier', kind: 'boolean', get: (p) => p.isSupplier },
    { name: 'isCustomer', kind: 'boolean', get: (p) => p.isCustomer },
    { name: 'contactName', kind: 'string', get: (p) => p.contactName },
    { name: 'phone', kind: 'string', get: (p) => p.phone },
    { name: 'email', kind: 'string', get: (p) => p.email },
    { name: 'address', kind: 'string', get: (p) => p.address },
    { name: 'country', kind: 'string', get: (p) => p.country },
  ],
  searchProperties: ['contactName'],
  filters: {
    isSupplier: { property: 'isSupplier', kind: 'boolean' },
    isCustomer: { property: 'isCustomer', kind: 'boolean' },
  },
  prepare: ({ existing }, input) => {
    const { values } = copyFields<Partner>(input);
    const supplier = (input.isSupplier as boolean | undefined) ?? existing?.isSupplier ?? false;
    const customer = (input.isCustomer as boolean | undefined) ?? existing?.isCustomer ?? false;
    return Promise.resolve({
      values,
      errors:
        supplier || customer
          ? []
          : [{ field: 'isSupplier', message: 'a partner is a supplier, a customer or both' }],
    });
  },
};
