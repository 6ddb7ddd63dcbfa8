import { Body, Controller, Delete, Get, HttpCode, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { UuidParam } from '../../platform/http/uuid-param';
import { Param } from '@nestjs/common';
import { MqttIngestService, type IngestStatus } from '../ingest/mqtt-ingest.service';
import { SeriesService, type SeriesView, type TagChartView } from '../series/series.service';
import { PutMachineDto, SeriesQueryDto, TagChartQueryDto } from '../tags/machine-config.dto';
import {
  MachineConfigService,
  type MachineView,
  type OperationCountView,
} from '../tags/machine-config.service';

/** Who sets up machine connections: administrators and the maintenance lead. */
const CONFIGURE = ['admin', 'maintenance_lead'] as const;

class ListQueryDto {
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Only this site code (the topic’s site segment or Sparkplug group)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  siteCode?: string;
}

@ApiTags('machine data')
@Controller('sites/:siteId/machine-data/machines')
export class MachinesController {
  constructor(
    private readonly machines: MachineConfigService,
    private readonly series: SeriesService,
  ) {}

  @Get()
  @ApiOkResponse({
    description: 'Machines connected over MQTT: state, connection, tags with their latest values',
  })
  list(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): Promise<MachineView[]> {
    return this.machines.list(p, siteId);
  }

  @Get(':equipment')
  @ApiOkResponse({
    description: 'One machine (id or code): its mapping, state, connection and latest values',
  })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('equipment') equipment: string,
  ): Promise<MachineView> {
    return this.machines.get(p, siteId, equipment);
  }

  @Put(':equipment')
  @Roles(...CONFIGURE)
  @ApiOkResponse({
    description:
      'Sets the machine’s tag mapping and count mode as a whole (audited). Tags are matched by source and metric; ' +
      'tags left out are removed with their stored values',
  })
  put(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('equipment') equipment: string,
    @Body() dto: PutMachineDto,
  ): Promise<MachineView> {
    return this.machines.put(p, siteId, equipment, dto);
  }

  @Delete(':equipment')
  @HttpCode(204)
  @Roles(...CONFIGURE)
  @ApiNoContentResponse({
    description: 'The machine is disconnected from machine data (tags and values removed)',
  })
  remove(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('equipment') equipment: string,
  ): Promise<void> {
    return this.machines.remove(p, siteId, equipment);
  }

  @Get(':equipment/counts')
  @ApiOkResponse({ description: 'Pieces the machine counted per operation, next to what was reported' })
  counts(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('equipment') equipment: string,
    @Query() q: ListQueryDto,
  ): Promise<OperationCountView[]> {
    return this.machines.counts(p, siteId, equipment, q.limit);
  }

  @Get(':equipment/tags/:tagId/series')
  @ApiOkResponse({
    description: 'A tag’s values over a period: raw, or minute/hour rollups (min, max, average)',
  })
  tagSeries(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('tagId') tagId: string,
    @Query() q: SeriesQueryDto,
  ): Promise<SeriesView> {
    return this.series.series(p, siteId, tagId, q);
  }

  @Get(':equipment/tags/:tagId/chart')
  @ApiOkResponse({
    description:
      'A parameter on a control chart over a period (SPC engine): individuals or x̄ subgroups of consecutive ' +
      'values, limits, zones, Nelson/WE violations, capability against the tag’s limits',
  })
  tagChart(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('tagId') tagId: string,
    @Query() q: TagChartQueryDto,
  ): Promise<TagChartView> {
    return this.series.chart(p, siteId, tagId, q);
  }
}

/** The ingestion itself: broker connection, throughput, and what could not be used. */
@ApiTags('machine data')
@Controller('machine-data')
@Roles(...CONFIGURE)
export class MachineDataAdminController {
  constructor(
    private readonly ingest: MqttIngestService,
    private readonly dataSource: DataSource,
  ) {}

  @Get('status')
  @ApiOkResponse({
    description: 'Broker connection, messages received/stored/duplicate/unknown/rejected, latency',
  })
  status(): IngestStatus {
    return this.ingest.status();
  }

  @Get('unknown-tags')
  @ApiOkResponse({
    description: 'Topics and metrics seen that no machine’s mapping names, most frequent first',
  })
  async unknownTags(@Query() q: ListQueryDto): Promise<
    Array<{
      source: string;
      metric: string;
      siteCode: string | null;
      messages: number;
      firstSeenAt: string;
      lastSeenAt: string;
      lastValue: string | null;
    }>
  > {
    const rows = await this.dataSource.query<
      Array<{
        source: string;
        metric: string;
        site_code: string | null;
        messages: string;
        first_seen_at: Date;
        last_seen_at: Date;
        last_value: string | null;
      }>
    >(
      `SELECT source, metric, site_code, messages, first_seen_at, last_seen_at, last_value FROM machine_unknown_tag
        WHERE $1::text IS NULL OR site_code = $1 ORDER BY messages DESC, source, metric LIMIT $2`,
      [q.siteCode ?? null, q.limit ?? 100],
    );
    return rows.map((r) => ({
      source: r.source,
      metric: r.metric,
      siteCode: r.site_code,
      messages: Number(r.messages),
      firstSeenAt: r.first_seen_at.toISOString(),
      lastSeenAt: r.last_seen_at.toISOString(),
      lastValue: r.last_value,
    }));
  }

  @Get('rejected')
  @ApiOkResponse({
    description: 'Messages that could not be read (newest first), with the reason and the payload’s start',
  })
  async rejected(@Query() q: ListQueryDto): Promise<{
    total: number;
    messages: Array<{ topic: string; reason: string; payload: string; receivedAt: string }>;
  }> {
    const [count] = await this.dataSource.query<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM machine_rejected_message`,
    );
    const rows = await this.dataSource.query<
      Array<{ topic: string; reason: string; payload: string; received_at: Date }>
    >(`SELECT topic, reason, payload, received_at FROM machine_rejected_message ORDER BY id DESC LIMIT $1`, [
      q.limit ?? 100,
    ]);
    return {
      total: Number(count?.n ?? 0),
      messages: rows.map((r) => ({
        topic: r.topic,
        reason: r.reason,
        payload: r.payload,
        receivedAt: r.received_at.toISOString(),
      })),
    };
  }
}
