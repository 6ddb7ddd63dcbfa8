import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { UuidParam } from '../../platform/http/uuid-param';
import { ChangeActiveDto } from '../catalog/catalog-dto';
import { BomListQueryDto, CreateBomDto, ExplosionQueryDto, UpdateBomDto } from './bom.dto';
import { BomsService, type BomView, type ExplosionView } from './boms.service';
import type { Bom } from './bom.entity';

@ApiTags('master data: boms')
@Controller('sites/:siteId')
export class BomsController {
  constructor(private readonly boms: BomsService) {}

  @Get('boms')
  @ApiOkResponse({ description: 'BOM revisions (headers); `at` gives the ones valid on that date' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: BomListQueryDto,
  ): Promise<Bom[]> {
    return this.boms.list(p, siteId, q);
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
