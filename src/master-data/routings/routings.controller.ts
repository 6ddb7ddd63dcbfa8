import { RevisionListQueryDto } from '../catalog/revision-list.dto';
import { Body, Controller, Get, Header, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ArrayMaxSize, IsArray } from 'class-validator';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { UuidParam } from '../../platform/http/uuid-param';
import { validatedOrThrow } from '../../platform/errors/validation';
import { ChangeActiveDto, ImportQueryDto, MAX_IMPORT_ROWS } from '../catalog/catalog-dto';
import { RoutingTransferService } from './routing-transfer';
import { CreateRoutingDto, UpdateRoutingDto } from './routing.dto';
import { RoutingsService, type RoutingView } from './routings.service';

/** `{rows: [...]}` with the CSV's columns as fields. */
class RoutingImportJson {
  @IsArray()
  @ArrayMaxSize(MAX_IMPORT_ROWS)
  rows: unknown[];
}

@ApiTags('master data: routings')
@Controller('sites/:siteId/routings')
export class RoutingsController {
  constructor(
    private readonly routings: RoutingsService,
    private readonly transfer: RoutingTransferService,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Routing revisions (headers); `at` gives the ones valid on that date' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: RevisionListQueryDto,
  ) {
    return this.routings.list(p, siteId, q);
  }

  @Get('export')
  @ApiProduces('text/csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="routings.csv"')
  @ApiOkResponse({ description: 'Active routing revisions as CSV, one eligible machine per row, by code' })
  export(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: RevisionListQueryDto,
  ): Promise<string> {
    return this.transfer.exportCsv(p, siteId, q.materialId);
  }

  @Post('import')
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
    const { rows } = await validatedOrThrow(RoutingImportJson, body);
    return this.transfer.import(
      p,
      siteId,
      rows.map((values, n) => ({ row: n + 1, values: values as Record<string, unknown> })),
      dryRun,
    );
  }

  @Get(':id')
  @ApiOkResponse({ description: 'A routing revision with its operations and eligible machines' })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<RoutingView> {
    return this.routings.get(p, siteId, id);
  }

  @Post()
  @Roles('admin', 'planner')
  @ApiCreatedResponse({ description: 'The new revision' })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateRoutingDto,
  ): Promise<RoutingView> {
    return this.routings.create(p, siteId, dto);
  }

  @Patch(':id')
  @Roles('admin', 'planner')
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: UpdateRoutingDto,
  ): Promise<RoutingView> {
    return this.routings.update(p, siteId, id, dto);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @Roles('admin', 'planner')
  deactivate(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ChangeActiveDto,
  ): Promise<RoutingView> {
    return this.routings.setActive(p, siteId, id, false, dto.version, dto.reason);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Roles('admin', 'planner')
  reactivate(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ChangeActiveDto,
  ): Promise<RoutingView> {
    return this.routings.setActive(p, siteId, id, true, dto.version, dto.reason);
  }
}
