import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import { UuidParam } from '../../http/uuid-param';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { SitesService } from '../sites.service';
import { CreateSiteDto, SiteResponse, UpdateSiteDto } from './site.dto';

@ApiTags('sites')
@ApiBearerAuth('bearer')
@Controller('sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Get()
  @ApiOkResponse({ type: [SiteResponse], description: 'The sites the caller may access' })
  list(@CurrentPrincipal() p: Principal): Promise<SiteResponse[]> {
    return this.sites.list(p);
  }

  @Get(':id')
  @ApiOkResponse({ type: SiteResponse })
  @ApiForbiddenResponse({ description: "The site is not among the caller's sites" })
  get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<SiteResponse> {
    return this.sites.get(p, id);
  }

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: SiteResponse })
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateSiteDto): Promise<SiteResponse> {
    return this.sites.create(p, dto);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: SiteResponse })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateSiteDto,
  ): Promise<SiteResponse> {
    return this.sites.update(p, id, dto);
  }
}
