import { RevisionListQueryDto } from '../catalog/revision-list.dto';
import { Body, Controller, Get, Header, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ArrayMaxSize, IsArray } from 'class-validator';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { UuidParam } from '../../platform/http/uuid-param';
import { validatedOrThrow } from '../../platform/errors/validation';
import { ChangeActiveDto, ImportQueryDto, MAX_IMPORT_ROWS } from '../catalog/catalog-dto';
import { BomTransferService } from './bom-transfer';
import { CreateBomDto, ExplosionQueryDto, UpdateBomDto } from './bom.dto';
import { BomsService, type BomView, type ExplosionView } from './boms.service';

/** `{rows: [...]}` with the CSV's columns as fields. */
class BomImportJson {
  @IsArray()
  @ArrayMaxSize(MAX_IMPORT_ROWS)
  rows: unknown[];
}

@ApiTags('master data: boms')
@Controller('sites/:siteId')
export class BomsController {
  constructor(
    private readonly boms: BomsService,
    private readonly transfer: BomTransferService,
  ) {}

  @Get('boms')
  @ApiOkResponse({ description: 'BOM revisions (headers); `at` gives the ones valid on that date' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: RevisionListQueryDto,
  ) {
    return this.boms.list(p, siteId, q);
  }

  @Get('boms/export')
  @ApiProduces('text/csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="boms.csv"')
  @ApiOkResponse({ description: 'Active BOM revisions as CSV, one line per row, materials by code' })
  export(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: RevisionListQueryDto,
  ): Promise<string> {
    return this.transfer.exportCsv(p, siteId, q.materialId);
  }

  @Post('boms/import')
  @HttpCode(200)
  @Roles('admin', 'planner')
  @ApiConsumes('application/json', 'text/csv')
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'] })
  @ApiOkResponse({
    description:
      'Revisions created or updated (by material and validFrom); with problems nothing is imported (422)',
  })
  async import(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: ImportQueryDto,
    @Body() body: unknown,
  ) {
    const dryRun = q.dryRun === 'true';
    if (typeof body === 'string') {
      const { rows, errors } = this.transfer.rowsFromCsv(body);
      return this.transfer.import(p, siteId, rows, dryRun, errors);
    }
    const { rows } = await validatedOrThrow(BomImportJson, body);
    return this.transfer.import(
      p,
      siteId,
      rows.map((values, i) => ({ row: i + 1, values: values as Record<string, unknown> })),
      dryRun,
    );
  }

  @Get('boms/:id')
  @ApiOkResponse({ description: 'A BOM revision with its lines' })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<BomView> {
    return this.boms.get(p, siteId, id);
  }

  @Post('boms')
  @Roles('admin', 'planner')
  @ApiCreatedResponse({ description: 'The new revision (numbered after the last one of the material)' })
  @ApiUnprocessableEntityResponse({
    description: 'BOM_CYCLE, or references that cannot be used (problem+json with fields)',
  })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateBomDto,
  ): Promise<BomView> {
    return this.boms.create(p, siteId, dto);
  }

  @Patch('boms/:id')
  @Roles('admin', 'planner')
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: UpdateBomDto,
  ): Promise<BomView> {
    return this.boms.update(p, siteId, id, dto);
  }

  @Post('boms/:id/deactivate')
  @HttpCode(200)
  @Roles('admin', 'planner')
  deactivate(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ChangeActiveDto,
  ): Promise<BomView> {
    return this.boms.setActive(p, siteId, id, false, dto.version, dto.reason);
  }

  @Post('boms/:id/reactivate')
  @HttpCode(200)
  @Roles('admin', 'planner')
  reactivate(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ChangeActiveDto,
  ): Promise<BomView> {
    return this.boms.setActive(p, siteId, id, true, dto.version, dto.reason);
  }

  @Get('materials/:id/explosion')
  @ApiOkResponse({
    description:
      'Requirements for a quantity: indented lines (net and gross with scrap) and totals per component',
  })
  explode(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Query() q: ExplosionQueryDto,
  ): Promise<ExplosionView> {
    return this.boms.explode(p, siteId, id, q.quantity, q.at);
  }
}
