import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsDateString,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Roles } from '../platform/auth/auth.decorators';
import type { Principal } from '../platform/auth/principal';
import { assertSiteAccess } from '../platform/auth/site-access';
import { DomainError, PlatformErrorCode } from '../platform/errors/domain-error';
import { IsQuantity } from '../platform/http/quantity';
import { Site } from '../platform/sites/site.entity';
import { ProductionFacade, type ErpImportResult } from '../production/production.facade';

const ID = /^[A-Za-z0-9._\-/]{1,64}$/;

export class QuantityValueDto {
  @ApiProperty({ example: '50' }) @IsQuantity('quantityString') quantityString: string;
  @ApiPropertyOptional({ example: 'PCS' }) @IsOptional() @IsString() @MaxLength(16) unitOfMeasure?: string;
}

export class MaterialRequirementDto {
  @ApiProperty({ example: 'GB-R80' }) @IsString() @MaxLength(64) materialDefinitionId: string;
  @ApiProperty({ enum: ['Produced', 'Consumed', 'ByProduct'] })
  @IsIn(['Produced', 'Consumed', 'ByProduct'])
  materialUse: string;
  @ApiProperty({ type: QuantityValueDto })
  @ValidateNested()
  @Type(() => QuantityValueDto)
  quantity: QuantityValueDto;
}

export class SegmentRequirementDto {
  @ApiProperty({ example: '10' })
  @Matches(ID, { message: 'id must be 1-64 letters, digits or . _ - /' })
  id: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) processSegmentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) earliestStartTime?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) latestEndTime?: string;

  @ApiProperty({ type: [MaterialRequirementDto] })
  @ValidateNested({ each: true })
  @Type(() => MaterialRequirementDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  materialRequirements: MaterialRequirementDto[];
}

export class HierarchyScopeDto {
  @ApiProperty({ description: 'Site code (ISA-95 equipment id of the site)', example: 'SZ01' })
  @IsString()
  @MaxLength(32)
  equipmentId: string;
}

export class OperationsRequestDto {
  @ApiProperty({ description: 'The ERP order id: importing it again is idempotent', example: 'SAP-4711' })
  @Matches(ID, { message: 'id must be 1-64 letters, digits or . _ - /' })
  id: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiProperty({ type: HierarchyScopeDto })
  @ValidateNested()
  @Type(() => HierarchyScopeDto)
  hierarchyScope: HierarchyScopeDto;
  @ApiProperty({ enum: ['Production'] })
  @IsIn(['Production'], { message: 'only Production operations requests are imported' })
  operationsType: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) startTime?: string;
  @ApiProperty({ description: 'Due date of the order' }) @IsDateString({ strict: true }) endTime: string;
  @ApiPropertyOptional({ description: '1 = rush … 5 = normal; or "rush"/"normal"' })
  @IsOptional()
  @Type(() => String)
  @Matches(/^([1-9]|rush|normal)$/, { message: 'priority must be 1-9, rush or normal' })
  priority?: string;

  @ApiProperty({ type: [SegmentRequirementDto] })
  @ValidateNested({ each: true })
  @Type(() => SegmentRequirementDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  segmentRequirements: SegmentRequirementDto[];
}

/** B2MML-style OperationsRequest import: every segment that produces a material becomes a work order. */
@ApiTags('erp bridge')
@Controller('erp/operations-requests')
export class OperationsRequestController {
  constructor(
    private readonly production: ProductionFacade,
    private readonly dataSource: DataSource,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('admin', 'planner')
  @ApiOkResponse({ description: '201 with the new work orders; 200 with the same ones when imported before' })
  async import(
    @CurrentPrincipal() p: Principal,
    @Body() dto: OperationsRequestDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ErpImportResult & { operationsRequestId: string }> {
    const site = await this.dataSource
      .getRepository(Site)
      .findOneBy({ code: dto.hierarchyScope.equipmentId });
    if (!site) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        `Site ${dto.hierarchyScope.equipmentId} does not exist`,
        {
          errors: [{ field: 'hierarchyScope.equipmentId', message: 'unknown site code' }],
        },
      );
    }
    assertSiteAccess(p, site.id);
    const rush = dto.priority === 'rush' || dto.priority === '1';
    const lines = dto.segmentRequirements.flatMap((seg, i) => {
      const produced = seg.materialRequirements.filter((m) => m.materialUse === 'Produced');
      if (produced.length !== 1) {
        throw new DomainError(
          'validation',
          PlatformErrorCode.VALIDATION_FAILED,
          'Each segment requirement produces exactly one material',
          {
            errors: [
              {
                field: `segmentRequirements[${i}].materialRequirements`,
                message: `has ${produced.length} Produced materials; exactly 1 is needed`,
              },
            ],
          },
        );
      }
      const made = produced[0]!;
      return [
        {
          erpOrderId: dto.id,
          erpSegmentId: seg.id,
          material: made.materialDefinitionId,
          quantity: made.quantity.quantityString,
          dueAt: seg.latestEndTime ?? dto.endTime,
          plannedStart: seg.earliestStartTime ?? dto.startTime,
          priority: rush ? ('rush' as const) : ('normal' as const),
          notes: dto.description,
        },
      ];
    });
    const result = await this.production.importErpOrder(site.id, lines);
    if (!result.created) void res.status(200);
    return { operationsRequestId: dto.id, ...result };
  }
}
