import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import {
  CancelInspectionDto,
  CreateInspectionDto,
  DecisionDto,
  InspectionQueryDto,
  RecordResultsDto,
} from './inspection.dto';
import {
  InspectionsService,
  type InspectionDetail,
  type InspectionSummary,
  type RecordedResults,
} from './inspections.service';

/**
 * Inspections (检验单): the pending list for quality users and, per work center, the IPQC list at the terminal;
 * results by sample; decisions that move the lot (IQC/OQC) — IPQC is decided by its results.
 */
@ApiTags('quality')
@Controller('sites/:siteId/quality')
export class InspectionsController {
  constructor(private readonly inspections: InspectionsService) {}

  @Post('inspections')
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiCreatedResponse({ description: 'A manual inspection (re-inspection) of a lot or an operation' })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateInspectionDto,
  ): Promise<InspectionDetail> {
    return this.inspections.createManual(p, siteId, dto);
  }

  @Get('inspections')
  @ApiOkResponse({
    description:
      'Inspections by due time, oldest first; e.g. ?status=pending,in_progress, or ?workCenter=TURN&type=ipqc at a terminal',
  })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: InspectionQueryDto,
  ): Promise<{ items: InspectionSummary[]; nextCursor: string | null }> {
    return this.inspections.list(p, siteId, q);
  }

  @Get('inspections/:id')
  @ApiOkResponse({
    description:
      'Plan, characteristics with results by sample, lot, operation, what is missing, suggestedOutcome',
  })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<InspectionDetail> {
    return this.inspections.get(p, siteId, id);
  }

  @Post('inspections/:id/results')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'quality', 'operator')
  @ApiOkResponse({
    description:
      'The inspection with its findings (outOfSpec) and any SPC signals; an IPQC with every sample recorded is decided',
  })
  record(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: RecordResultsDto,
  ): Promise<RecordedResults> {
    return this.inspections.recordResults(p, siteId, id, dto);
  }

  @Post('inspections/:id/decision')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiOkResponse({
    description: 'The decided inspection with lotOutcome (what happened to the lot, or why not) and the NCR',
  })
  decide(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: DecisionDto,
  ): Promise<InspectionDetail> {
    return this.inspections.decide(p, siteId, id, dto);
  }

  @Post('inspections/:id/cancel')
  @HttpCode(200)
  @Roles('admin', 'quality')
  @ApiOkResponse({ description: 'The cancelled inspection (pending or in progress only)' })
  cancel(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: CancelInspectionDto,
  ): Promise<InspectionDetail> {
    return this.inspections.cancel(p, siteId, id, dto);
  }
}
