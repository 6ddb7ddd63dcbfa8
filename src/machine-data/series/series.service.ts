import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { AppConfig } from '../../platform/config/app-config';
import { fieldError, notFound } from '../../platform/errors/domain-error';
import { ScheduledJobs } from '../../platform/jobs/scheduled-jobs.service';
import { resolutionFor } from '../engine/machine-state';
import { QualityFacade, type SpcAnalysis } from '../../quality/quality.facade';

/** A machine parameter on a control chart: its values over a period, judged by the SPC engine. */
export interface TagChartView {
  tagId: string;
  equipmentId: string;
  name: string;
  unit: string | null;
  chart: 'imr' | 'xbar-r' | 'xbar-s';
  /** Subgroup size (consecutive values); 1 for individuals. */
  n: number;
  from: string;
  to: string;
  /** Values charted (a trailing incomplete subgroup is left out). */
  values: number;
  /** When each plotted point's (first) value was taken. */
  pointTimes: string[];
  spec: { lsl: number | null; usl: number | null };
  analysis: SpcAnalysis;
}

/** Most values a chart reads: narrow the period (or read the rollups) beyond this. */
const CHART_MAX_VALUES = 20_000;

export interface SeriesPoint {
  ts: string;
  /** Raw: the value; rollups: the bucket's average. */
  value: number | null;
  text?: string | null;
  min?: number;
  max?: number;
  first?: number;
  last?: number;
  n?: number;
}

export interface SeriesView {
  tagId: string;
  equipmentId: string;
  metric: string;
  role: string;
  unit: string | null;
  resolution: 'raw' | 'minute' | 'hour';
  from: string;
  to: string;
  /** More points exist than `limit`: narrow the period or take a coarser resolution. */
  truncated: boolean;
  points: SeriesPoint[];
}

/** Values that arrive this long after the newest rollup pass are still rolled into their bucket. */
const SETTLE_MS = 2_000;

/**
 * A tag's values over a period (raw, or per minute/hour) and the jobs that keep the series fast as it grows:
 * rollups of new values into minute and hour buckets — by arrival, so a late value lands in its own bucket —
 * and retention (raw values MACHINE_DATA_RETENTION_DAYS, minute rollups MACHINE_DATA_ROLLUP_RETENTION_DAYS).
 */
@Injectable()
export class SeriesService implements OnModuleInit {
  private readonly logger = new Logger(SeriesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: ScheduledJobs,
    private readonly config: AppConfig,
    private readonly quality: QualityFacade,
  ) {}

  onModuleInit(): void {
    this.jobs.define({
      name: 'machine-data.rollup',
      everyMs: 10_000,
      run: async () => void (await this.rollUp()),
    });
    this.jobs.define({
      name: 'machine-data.retention',
      cron: '17 3 * * *',
      run: async () => void (await this.prune()),
    });
  }

  async series(
    p: Principal,
    siteId: string,
    tagId: string,
    q: { from: string; to: string; resolution?: 'auto' | 'raw' | 'minute' | 'hour'; limit?: number },
  ): Promise<SeriesView> {
    assertSiteAccess(p, siteId);
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (to.getTime() <= from.getTime()) throw fieldError('to', 'must be after from');
    const [tag] = await this.dataSource.query<
      Array<{
        id: string;
        equipment_id: string;
        metric: string;
        role: string;
        unit: string | null;
        parameter_name: string | null;
      }>
    >(
      `SELECT id, equipment_id, metric, role, unit, parameter_name FROM machine_tag WHERE id = $1 AND site_id = $2`,
      [tagId, siteId],
    );
    if (!tag) throw notFound('tag', tagId);
    const resolution =
      !q.resolution || q.resolution === 'auto' ? resolutionFor(from.getTime(), to.getTime()) : q.resolution;
    const limit = q.limit ?? 5000;
    let points: SeriesPoint[];
    if (resolution === 'raw') {
      const rows = await this.dataSource.query<
        Array<{ ts: Date; value: number | null; text: string | null }>
      >(
        `SELECT ts, value, text FROM machine_tag_value WHERE tag_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4`,
        [tagId, from, to, limit + 1],
      );
      points = rows.map((r) => ({ ts: r.ts.toISOString(), value: r.value, text: r.text }));
    } else {
      const rows = await this.dataSource.query<
        Array<{ bucket: Date; n: number; min: number; max: number; sum: number; first: number; last: number }>
      >(
        `SELECT bucket, n, min, max, sum, first, last FROM machine_tag_rollup
          WHERE tag_id = $1 AND grain = $2 AND bucket >= date_trunc($2, $3::timestamptz) AND bucket < $4
          ORDER BY bucket LIMIT $5`,
        [tagId, resolution, from, to, limit + 1],
      );
      points = rows.map((r) => ({
        ts: r.bucket.toISOString(),
        value: r.n > 0 ? r.sum / r.n : null,
        min: r.min,
        max: r.max,
        first: r.first,
        last: r.last,
        n: r.n,
      }));
    }
    const truncated = points.length > limit;
    return {
      tagId,
      equipmentId: tag.equipment_id,
      metric: tag.parameter_name ?? tag.metric,
      role: tag.role,
      unit: tag.unit,
      resolution,
      from: from.toISOString(),
      to: to.toISOString(),
      truncated,
      points: truncated ? points.slice(0, limit) : points,
    };
  }

  /**
   * A parameter's values over a period on a control chart: individuals (imr) or subgroups of `n` consecutive
   * values (x̄–R, x̄–S), Nelson or Western Electric rules, and capability against the tag's own limits (or the
   * `lsl`/`usl` given) as specification.
   */
  async chart(
    p: Principal,
    siteId: string,
    tagId: string,
    q: {
      from: string;
      to: string;
      chart?: 'imr' | 'xbar-r' | 'xbar-s';
      n?: number;
      rules?: 'nelson' | 'we';
      lsl?: number;
      usl?: number;
    },
  ): Promise<TagChartView> {
    assertSiteAccess(p, siteId);
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (to.getTime() <= from.getTime()) throw fieldError('to', 'must be after from');
    const chart = q.chart ?? 'imr';
    const n = chart === 'imr' ? 1 : (q.n ?? 5);
    if (chart !== 'imr' && n < 2) throw fieldError('n', `a ${chart} chart needs subgroups of at least 2`);
    const [tag] = await this.dataSource.query<
      Array<{
        equipment_id: string;
        metric: string;
        parameter_name: string | null;
        unit: string | null;
        role: string;
        min_value: string | null;
        max_value: string | null;
      }>
    >(
      `SELECT equipment_id, metric, parameter_name, unit, role, min_value::text, max_value::text FROM machine_tag
        WHERE id = $1 AND site_id = $2`,
      [tagId, siteId],
    );
    if (!tag) throw notFound('tag', tagId);
    if (tag.role !== 'parameter' && tag.role !== 'cycle_time')
      throw fieldError('tagId', 'control charts are drawn for parameters and cycle times');
    const rows = await this.dataSource.query<Array<{ ts: Date; value: number }>>(
      `SELECT ts, value FROM machine_tag_value WHERE tag_id = $1 AND ts >= $2 AND ts < $3 AND value IS NOT NULL
        ORDER BY ts LIMIT $4`,
      [tagId, from, to, CHART_MAX_VALUES + 1],
    );
    if (rows.length > CHART_MAX_VALUES)
      throw fieldError('from', `more than ${CHART_MAX_VALUES} values in the period; narrow it`);
    const usable = rows.slice(0, rows.length - (rows.length % n));
    const lsl = q.lsl ?? (tag.min_value === null ? null : Number(tag.min_value));
    const usl = q.usl ?? (tag.max_value === null ? null : Number(tag.max_value));
    const spec =
      lsl !== null || usl !== null
        ? { ...(lsl !== null ? { lsl } : {}), ...(usl !== null ? { usl } : {}) }
        : undefined;
    const values = usable.map((r) => r.value);
    const analysis = this.quality.analyzeSeries({
      chart,
      ...(chart === 'imr'
        ? { values }
        : { subgroups: Array.from({ length: values.length / n }, (_, i) => values.slice(i * n, i * n + n)) }),
      rules: q.rules ?? 'nelson',
      ...(spec ? { spec } : {}),
    });
    return {
      tagId,
      equipmentId: tag.equipment_id,
      name: tag.parameter_name ?? tag.metric,
      unit: tag.unit,
      chart,
      n,
      from: from.toISOString(),
      to: to.toISOString(),
      values: usable.length,
      pointTimes: usable.filter((_, i) => i % n === 0).map((r) => r.ts.toISOString()),
      spec: { lsl, usl },
      analysis,
    };
  }

  /**
   * Rolls the values that arrived since the last pass into their minute buckets (each touched bucket is
   * recomputed from the raw values, so a redelivery or a late value never counts twice), then the touched
   * hours from their minutes. Answers the number of minute buckets written.
   */
  async rollUp(until: Date = new Date(Date.now() - SETTLE_MS)): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO machine_rollup_cursor (name, done_until) VALUES ('rollup', '1970-01-01T00:00:00Z') ON CONFLICT DO NOTHING`,
      );
      const [cursor] = await m.query<Array<{ done_until: Date }>>(
        `SELECT done_until FROM machine_rollup_cursor WHERE name = 'rollup' FOR UPDATE`,
      );
      const since = new Date(cursor!.done_until);
      if (since.getTime() >= until.getTime()) return 0;
      const minutes = await m.query<Array<{ n: number }>>(
        `WITH touched AS (
           SELECT DISTINCT tag_id, date_trunc('minute', ts) AS bucket FROM machine_tag_value
            WHERE received_at > $1 AND received_at <= $2 AND value IS NOT NULL
         ), agg AS (
           SELECT t.tag_id, t.bucket, count(*)::int AS n, min(v.value) AS min, max(v.value) AS max, sum(v.value) AS sum,
                  (array_agg(v.value ORDER BY v.ts))[1] AS first, (array_agg(v.value ORDER BY v.ts DESC))[1] AS last
             FROM touched t JOIN machine_tag_value v
               ON v.tag_id = t.tag_id AND v.ts >= t.bucket AND v.ts < t.bucket + interval '1 minute' AND v.value IS NOT NULL
            GROUP BY t.tag_id, t.bucket
         ), up AS (
           INSERT INTO machine_tag_rollup (tag_id, grain, bucket, n, min, max, sum, first, last)
           SELECT tag_id, 'minute', bucket, n, min, max, sum, first, last FROM agg
           ON CONFLICT (tag_id, grain, bucket) DO UPDATE SET n = excluded.n, min = excluded.min, max = excluded.max,
                  sum = excluded.sum, first = excluded.first, last = excluded.last
           RETURNING tag_id, bucket
         ), hours AS (
           SELECT DISTINCT tag_id, date_trunc('hour', bucket) AS hour FROM up
         ), hagg AS (
           SELECT h.tag_id, h.hour, sum(r.n)::int AS n, min(r.min) AS min, max(r.max) AS max, sum(r.sum) AS sum,
                  (array_agg(r.first ORDER BY r.bucket))[1] AS first, (array_agg(r.last ORDER BY r.bucket DESC))[1] AS last
             FROM hours h JOIN machine_tag_rollup r
               ON r.tag_id = h.tag_id AND r.grain = 'minute' AND r.bucket >= h.hour AND r.bucket < h.hour + interval '1 hour'
            GROUP BY h.tag_id, h.hour
         ), hup AS (
           INSERT INTO machine_tag_rollup (tag_id, grain, bucket, n, min, max, sum, first, last)
           SELECT tag_id, 'hour', hour, n, min, max, sum, first, last FROM hagg
           ON CONFLICT (tag_id, grain, bucket) DO UPDATE SET n = excluded.n, min = excluded.min, max = excluded.max,
                  sum = excluded.sum, first = excluded.first, last = excluded.last
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM up)::int AS n, (SELECT count(*) FROM hup)::int AS h`,
        [since, until],
      );
      await m.query(`UPDATE machine_rollup_cursor SET done_until = $1 WHERE name = 'rollup'`, [until]);
      return minutes[0]?.n ?? 0;
    });
  }

  /**
   * Drops raw values and minute rollups past their retention, in slices so the table is never locked long.
   * (The hour rollups of the dropped minutes were computed from them while they existed and stay.)
   */
  async prune(now: Date = new Date()): Promise<{ values: number; minutes: number; rejected: number }> {
    const rawCut = new Date(now.getTime() - this.config.get('MACHINE_DATA_RETENTION_DAYS') * 86_400_000);
    const minuteCut = new Date(
      now.getTime() - this.config.get('MACHINE_DATA_ROLLUP_RETENTION_DAYS') * 86_400_000,
    );
    const sliced = async (sql: string, cut: Date) => {
      let total = 0;
      for (;;) {
        const rows = await this.dataSource.query<Array<{ n: number }>>(sql, [cut]);
        const n = rows[0]?.n ?? 0;
        total += n;
        if (n < 50_000) return total;
      }
    };
    const values = await sliced(
      `WITH gone AS (DELETE FROM machine_tag_value WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM machine_tag_value WHERE ts < $1 LIMIT 50000)) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      rawCut,
    );
    const minutes = await sliced(
      `WITH gone AS (DELETE FROM machine_tag_rollup WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM machine_tag_rollup WHERE grain = 'minute' AND bucket < $1 LIMIT 50000)) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      minuteCut,
    );
    const rejected = await sliced(
      `WITH gone AS (DELETE FROM machine_rejected_message WHERE received_at < $1 RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      rawCut,
    );
    if (values + minutes + rejected > 0)
      this.logger.log(
        `retention: dropped ${values} values, ${minutes} minute rollups, ${rejected} rejected messages`,
      );
    return { values, minutes, rejected };
  }
}
