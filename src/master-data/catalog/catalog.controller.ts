import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  type Type,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray } from 'class-validator';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { validatedOrThrow } from '../../platform/errors/validation';
import { UuidParam } from '../../platform/http/uuid-param';
import { ChangeActiveDto, ImportQueryDto, ImportReportResponse, MAX_IMPORT_ROWS } from './catalog-dto';
import type { CatalogRecord } from './catalog-record';
import type { CatalogService, ImportRow } from './catalog.service';

/** The JSON form of an import: `{rows: [...]}` with the create body's fields. */
class ImportJsonBody {
  @IsArray()
  @ArrayMaxSize(MAX_IMPORT_ROWS)
  rows: unknown[];
}

export const catalogServiceToken = (path: string): string => `CatalogService:${path}`;

/**
 * The HTTP face of one catalog, under /api/v1/sites/{siteId}/{path}. Bodies are validated by the service
 * against the catalog's DTO classes (the route is shared, so the pipe cannot know them).
 */
export function catalogController<E extends CatalogRecord>(def: {
  path: string;
  title: string;
  createDto: Type<object>;
  updateDto: Type<object>;
  writeRoles: Parameters<typeof Roles>;
}): Type<unknown> {
  @ApiTags(`master data: ${def.path}`)
  @Controller(`sites/:siteId/${def.path}`)
  class CatalogController {
    constructor(
      @Inject(catalogServiceToken(def.path))
      private readonly catalog: CatalogService<E & { [k: string]: unknown }>,
    ) {}

    @Get()
    @ApiOkResponse({ description: `${def.title} records, paged (items, total, limit, offset)` })
    @ApiQuery({ name: 'q', required: false, description: 'Search code and names' })
    @ApiQuery({ name: 'sort', required: false, example: '-updatedAt,code' })
    @ApiQuery({ name: 'active', required: false, enum: ['true', 'false'] })
    @ApiQuery({ name: 'limit', required: false })
    @ApiQuery({ name: 'offset', required: false })
    list(
      @CurrentPrincipal() p: Principal,
      @UuidParam('siteId') siteId: string,
      @Query() query: Record<string, unknown>,
    ) {
      return this.catalog.list(p, siteId, query);
    }

    @Get('export')
    @ApiProduces('text/csv')
    @Header('Content-Type', 'text/csv; charset=utf-8')
    @Header('Content-Disposition', `attachment; filename="${def.path}.csv"`)
    @ApiOkResponse({ description: 'CSV with the import columns; accepts the list filters' })
    export(
      @CurrentPrincipal() p: Principal,
      @UuidParam('siteId') siteId: string,
      @Query() query: Record<string, unknown>,
    ): Promise<string> {
      return this.catalog.exportCsv(p, siteId, query);
    }

    @Get('by-code/:code')
    getByCode(
      @CurrentPrincipal() p: Principal,
      @UuidParam('siteId') siteId: string,
      @Param('code') code: string,
    ) {
      return this.catalog.getByCode(p, siteId, code);
    }

    @Get(':id')
    get(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string, @UuidParam('id') id: string) {
      return this.catalog.get(p, siteId, id);
    }

    @Post()
    @Roles(...def.writeRoles)
    @ApiBody({ type: def.createDto })
    create(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string, @Body() body: unknown) {
      return this.catalog.create(p, siteId, body);
    }

    @Patch(':id')
    @Roles(...def.writeRoles)
    @ApiBody({ type: def.updateDto })
    update(
      @CurrentPrincipal() p: Principal,
      @UuidParam('siteId') siteId: string,
      @UuidParam('id') id: string,
      @Body() body: unknown,
    ) {
      return this.catalog.update(p, siteId, id, body);
    }

    @Post(':id/deactivate')
    @HttpCode(200)
    @Roles(...def.writeRoles)
    @ApiBody({ type: ChangeActiveDto })
    deactivate(
      @CurrentPrincipal() p: Principal,
      @UuidParam('siteId') siteId: string,
      @UuidParam('id') id: string,
      @Body() body: unknown,
    ) {
      return this.catalog.setActive(p, siteId, id, false, body);
    }

    @Post(':id/reactivate')
    @HttpCode(200)
    @Roles(...def.writeRoles)
    @ApiBody({ type: ChangeActiveDto })
    reactivate(
      @CurrentPrincipal() p: Principal,
      @UuidParam('siteId') siteId: string,
      @UuidParam('id') id: string,
      @Body() body: unknown,
    ) {
      return this.catalog.setActive(p, siteId, id, true, body);
    }

    @Post('import')
    @HttpCode(200)
    @Roles(...def.writeRoles)
    @ApiConsumes('application/json', 'text/csv')
    @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'] })
    @ApiOkResponse({
      type: ImportReportResponse,
      description: 'Every row checked; with problems nothing is imported (422)',
    })
    async import(
      @CurrentPrincipal() p: Principal,
      @UuidParam('siteId') siteId: string,
      @Query() query: ImportQueryDto,
      @Body() body: unknown,
    ) {
      const dryRun = query.dryRun === 'true';
      if (typeof body === 'string') {
        const { rows, errors } = this.catalog.rowsFromCsv(body);
        return this.catalog.import(p, siteId, rows, dryRun, errors);
      }
      const { rows } = await validatedOrThrow(ImportJsonBody, body);
      const numbered: ImportRow[] = rows.map((values, i) => ({
        row: i + 1,
        values: values as Record<string, unknown>,
      }));
      return this.catalog.import(p, siteId, numbered, dryRun);
    }
  }
  Object.defineProperty(CatalogController, 'name', {
    value: `${def.path.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Controller`,
  });
  return CatalogController;
}
