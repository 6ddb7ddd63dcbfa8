import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import type { Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import { PublishScheduleService, type PublishResult } from '../publishing/publish-schedule.service';
import { ScheduleRunsService } from '../runs/schedule-runs.service';
import { ScenariosService } from '../scenarios/scenarios.service';
import type { ImpactReport, PlanComparison } from '../views/plan-comparison';
import type { ScheduleVersionView } from '../views/schedule-version.view';
import { ScheduleViewsService, type Gantt } from '../views/schedule-views.service';
import {
  CompareQueryDto,
  CreateRunDto,
  CreateScenarioDto,
  GanttQueryDto,
  PublishDto,
  ReasonDto,
  RushInsertDto,
  UpdateScenarioDto,
  VersionQueryDto,
} from './planning.dto';

const PLANNERS = ['admin', 'planner'] as const;

/** The planner board's API: schedule runs, versions, the live plan, Gantt data, rush orders and what-ifs. */
@ApiTags('planning: APS')
@Controller('sites/:siteId/planning')
export class PlanningController {
  constructor(
    private readonly runs: ScheduleRunsService,
    private readonly scenarios: ScenariosService,
    private readonly publishing: PublishScheduleService,
    private readonly views: ScheduleViewsService,
  ) {}

  @Post('runs')
  @HttpCode(202)
  @Roles(...PLANNERS)
  @ApiAcceptedResponse({
    description: 'The queued schedule version; it runs as a job (progress: GET it, or `schedule.run` pushes)',
  })
  createRun(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateRunDto,
  ): Promise<ScheduleVersionView> {
    return this.runs.createRun(p, siteId, dto);
  }

  @Get('versions')
  @ApiOkResponse({ description: 'Schedule versions, newest first' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: VersionQueryDto,
  ): Promise<Page<ScheduleVersionView>> {
    return this.views.list(p, siteId, q);
  }

  @Get('live')
  @ApiOkResponse({ description: 'The published schedule version (404 NO_LIVE_PLAN before the first)' })
  live(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): Promise<ScheduleVersionView> {
    return this.views.live(p, siteId);
  }

  @Get('gantt')
  @ApiOkResponse({
    description: 'Gantt rows by machine or by work order (default: the live plan, by machine)',
  })
  gantt(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: GanttQueryDto,
  ): Promise<Gantt> {
    return this.views.gantt(p, siteId, q);
  }

  @Get('versions/:id')
  @ApiOkResponse({ description: 'A schedule version with its progress, KPIs and warnings' })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<ScheduleVersionView> {
    return this.views.get(p, siteId, id);
  }

  @Get('versions/:id/compare')
  @ApiOkResponse({
    description: 'KPIs, orders and machines side by side with another version (default: the live plan)',
  })
  compare(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Query() q: CompareQueryDto,
  ): Promise<PlanComparison> {
    return this.views.compare(p, siteId, id, q);
  }

  @Post('versions/:id/publish')
  @HttpCode(200)
  @Roles(...PLANNERS)
  @ApiOkResponse({
    description:
      'The version is the live plan: dispatch lists follow it, terminals are told; 409 unless it succeeded, or when the live plan changed since it was made',
  })
  publish(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: PublishDto,
  ): Promise<PublishResult> {
    return this.publishing.publish(p, siteId, id, dto);
  }

  @Post('versions/:id/cancel')
  @HttpCode(200)
  @Roles(...PLANNERS)
  @ApiOkResponse({ description: 'The run is stopped (409 unless queued or running)' })
  cancel(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ReasonDto,
  ): Promise<ScheduleVersionView> {
    return this.runs.cancel(p, siteId, id, dto.reason);
  }

  @Post('rush-inserts')
  @HttpCode(202)
  @Roles(...PLANNERS)
  @ApiAcceptedResponse({
    description:
      'The live plan with the rush order inserted is computed as a job; then read its impact report',
  })
  rush(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: RushInsertDto,
  ): Promise<ScheduleVersionView> {
    return this.runs.createRush(p, siteId, dto);
  }

  @Get('rush-inserts/:id/impact')
  @ApiOkResponse({
    description: 'Which orders of the live plan slip, and by how much, when the rush order goes in',
  })
  impact(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<ImpactReport> {
    return this.views.impact(p, siteId, id);
  }

  @Post('rush-inserts/:id/apply')
  @HttpCode(200)
  @Roles(...PLANNERS)
  @ApiOkResponse({
    description:
      'Publishes the insertion: the order becomes rush (its warehouse pick task too), dispatch lists follow',
  })
  applyRush(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: PublishDto,
  ): Promise<PublishResult> {
    return this.publishing.publish(p, siteId, id, dto, 'rush');
  }

  @Post('scenarios')
  @HttpCode(202)
  @Roles(...PLANNERS)
  @ApiAcceptedResponse({
    description: 'The what-if (a copy of the live plan or a version, with changes), queued or draft',
  })
  createScenario(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateScenarioDto,
  ): Promise<ScheduleVersionView> {
    return this.scenarios.create(p, siteId, dto);
  }

  @Patch('scenarios/:id')
  @Roles(...PLANNERS)
  @ApiOkResponse({ description: 'The what-if with its new changes or settings, back to draft' })
  updateScenario(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: UpdateScenarioDto,
  ): Promise<ScheduleVersionView> {
    return this.scenarios.update(p, siteId, id, dto);
  }

  @Post('scenarios/:id/run')
  @HttpCode(202)
  @Roles(...PLANNERS)
  @ApiAcceptedResponse({ description: 'The what-if runs (again)' })
  runScenario(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<ScheduleVersionView> {
    return this.scenarios.run(p, siteId, id);
  }

  @Get('scenarios/:id/compare')
  @ApiOkResponse({ description: 'The what-if beside the live plan (or `with`)' })
  compareScenario(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Query() q: CompareQueryDto,
  ): Promise<PlanComparison> {
    return this.views.compare(p, siteId, id, q);
  }

  @Post('scenarios/:id/apply')
  @HttpCode(200)
  @Roles(...PLANNERS)
  @ApiOkResponse({ description: 'Publishes the what-if as the live plan (its priority changes are made)' })
  applyScenario(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: PublishDto,
  ): Promise<PublishResult> {
    return this.publishing.publish(p, siteId, id, dto, 'scenario');
  }

  @Post('scenarios/:id/discard')
  @HttpCode(200)
  @Roles(...PLANNERS)
  @ApiOkResponse({ description: 'The what-if is dropped; the live plan never knew it' })
  discardScenario(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ReasonDto,
  ): Promise<ScheduleVersionView> {
    return this.scenarios.discard(p, siteId, id, dto.reason);
  }
}
