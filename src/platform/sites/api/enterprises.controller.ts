import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { SitesService } from '../sites.service';
import { CreateEnterpriseDto, EnterpriseResponse } from './site.dto';

@ApiTags('sites')
@ApiBearerAuth('bearer')
@Controller('enterprises')
export class EnterprisesController {
  constructor(private readonly sites: SitesService) {}

  @Get()
  @ApiOkResponse({ type: [EnterpriseResponse] })
  list(@CurrentPrincipal() p: Principal): Promise<EnterpriseResponse[]> {
    return this.sites.listEnterprises(p);
  }

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: EnterpriseResponse })
  create(@Body() dto: CreateEnterpriseDto): Promise<EnterpriseResponse> {
    return this.sites.createEnterprise(dto);
  }
}
