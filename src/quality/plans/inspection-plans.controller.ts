import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import type { Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import {
  CreateInspectionPlanDto,
  InspectionPlanQueryDto,
  UpdateInspectionPlanDto,
} from './inspection-plan.dto';
import {
  InspectionPlansService,
  type CreatedPlanView,
  type InspectionPlanView,
} from './inspection-plans.service';

/** Inspection plans (检验计划): quality engineers define them; everyone with access to the site reads them. */
@ApiTags('quality')
@Controller('sites/:siteId/quality')
export class InspectionPlansController {
  constructor(private readonly plans: InspectionPlansService) {}

  @Post('inspection-plans')
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiCreatedResponse({
    description:
      'The plan with its characteristics; IQC/OQC plans say that the material now requires inspection (new lots in quarantine)',
  })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateInspectionPlanDto,
  ): Promise<CreatedPlanView> {
    return this.plans.create(p, siteId, dto);
  }

  @Get('inspection-plans')
  @ApiOkResponse({ description: 'Plans by code, with their characteristics' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: InspectionPlanQueryDto,
  ): Promise<Page<InspectionPlanView>> {
    return this.plans.list(p, siteId, q);
  }

  @Get('inspection-plans/:id')
  @ApiOkResponse({ description: 'A plan with its characteristics' })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<InspectionPlanView> {
    return this.plans.get(p, siteId, id);
  }

  @Patch('inspection-plans/:id')
  @Roles('admin', 'quality')
  @ApiOkResponse({
    description:
      'The changed plan; 409 STALE_VERSION when expectedVersion is not the current version (audited with before/after)',
  })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: UpdateInspectionPlanDto,
  ): Promise<InspectionPlanView> {
    return this.plans.update(p, siteId, id, dto);
  }
}
