import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import {
  ChartQueryDto,
  ExclusionDto,
  FreezeLimitsDto,
  RemoveExclusionDto,
  SignalQueryDto,
} from './spc-charts.dto';
import {
  type ChartView,
  type ExclusionView,
  type LimitSetView,
  type SignalView,
  SpcChartsService,
} from './spc-charts.service';

/** Control charts of stored results (控制图), frozen limit versions, exclusions and the signals they raised. */
@ApiTags('quality: SPC')
@Controller('sites/:siteId/quality')
export class SpcChartsController {
  constructor(private readonly charts: SpcChartsService) {}

  @Get('characteristics/:id/chart')
  @ApiOkResponse({
    description:
      'The chart from stored results: limits (frozen version or provisional), zones, secondary chart, capability, the last `limit` points with violations and exclusions; `status` empty/insufficient when there are too few points',
  })
  chart(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Query() q: ChartQueryDto,
  ): Promise<ChartView> {
    assertSiteAccess(p, siteId);
    return this.charts.chart(siteId, id, q);
  }

  @Get('characteristics/:id/chart.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description:
      'The chart’s points as CSV: index, inspection, time, n, value, center, ucl, lcl, violations (;), excluded, reason',
  })
  async chartCsv(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Query() q: ChartQueryDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    assertSiteAccess(p, siteId);
    const { filename, body } = await this.charts.chartCsv(siteId, id, q);
    void res
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`);
    return body;
  }

  @Post('characteristics/:id/limits')
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiCreatedResponse({ description: 'The new frozen limits version, now in use' })
  @ApiUnprocessableEntityResponse({ description: 'SPC_TOO_FEW_POINTS: the range has too few usable points' })
  @ApiConflictResponse({ description: 'SPC_LIMITS_CHANGED, SPC_NOT_CHARTED' })
  freeze(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: FreezeLimitsDto,
  ): Promise<LimitSetView> {
    assertSiteAccess(p, siteId);
    return this.charts.freeze(p, siteId, id, dto);
  }

  @Get('characteristics/:id/limits')
  @ApiOkResponse({ description: 'Frozen limit versions, newest first, with the range and exclusions used' })
  limits(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<LimitSetView[]> {
    assertSiteAccess(p, siteId);
    return this.charts.limitSets(siteId, id);
  }

  @Post('characteristics/:id/exclusions')
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiCreatedResponse({ description: 'The point is left out of provisional limits and later freezes' })
  @ApiConflictResponse({ description: 'SPC_POINT_ALREADY_EXCLUDED' })
  exclude(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ExclusionDto,
  ): Promise<ExclusionView> {
    assertSiteAccess(p, siteId);
    return this.charts.exclude(p, siteId, id, dto);
  }

  @Delete('characteristics/:id/exclusions/:inspectionId')
  @HttpCode(200)
  @Roles('admin', 'quality')
  @ApiOkResponse({ description: 'The exclusion taken back (the point counts again)' })
  include(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Param('inspectionId') inspection: string,
    @Body() dto: RemoveExclusionDto,
  ): Promise<ExclusionView> {
    assertSiteAccess(p, siteId);
    return this.charts.include(siteId, id, inspection, dto.reason);
  }

  @Get('spc/signals')
  @ApiOkResponse({ description: 'Recent rule violations of the site, newest first, with what they set off' })
  signals(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: SignalQueryDto,
  ): Promise<SignalView[]> {
    assertSiteAccess(p, siteId);
    return this.charts.signals(siteId, q);
  }
}
