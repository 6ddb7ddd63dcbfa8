import { RevisionListQueryDto } from '../catalog/revision-list.dto';
import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { UuidParam } from '../../platform/http/uuid-param';
import { ChangeActiveDto } from '../catalog/catalog-dto';
import { CreateRoutingDto, UpdateRoutingDto } from './routing.dto';
import { RoutingsService, type RoutingView } from './routings.service';

@ApiTags('master data: routings')
@Controller('sites/:siteId/routings')
export class RoutingsController {
  constructor(private readonly routings: RoutingsService) {}

  @Get()
  @ApiOkResponse({ description: 'Routing revisions (headers); `at` gives the ones valid on that date' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: RevisionListQueryDto,
  ) {
    return this.routings.list(p, siteId, q);
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
