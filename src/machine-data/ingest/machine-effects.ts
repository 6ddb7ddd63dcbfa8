import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../platform/auth/principal';
import type { Tx } from '../../platform/database/transaction-runner';
import { formatExact, parseDecimal } from '../../platform/engine/decimal';
import { MaintenanceFacade, counterSteps } from '../../maintenance/maintenance.facade';
import { ProductionFacade, type RunningOperation } from '../../production/production.facade';
import type { SampleValue } from '../engine/machine-message';
import {
  applyStates,
  limitCrossings,
  toMachineState,
  type Limits,
  type MachineState,
} from '../engine/machine-state';
import { TagRegistry, type TagInfo } from '../tags/tag-registry';

/** A value stored for the first time, with its tag. */
export interface FreshSample {
  tag: TagInfo;
  ts: number;
  value: SampleValue;
}

/** Who machine data acts as (audit rows, reports): the machine itself, on its site only. */
export function machineActor(siteId: string): Principal {
  return {
    kind: 'api_client',
    id: 'machine-data',
    name: 'Machine data',
    roles: ['admin'],
    siteIds: [siteId],
  };
}

interface TagStateRow {
  tag_id: string;
  last_ts: Date;
  counter_value: number | null;
  counter_ts: Date | null;
  alarm_since: Date | null;
}

interface LiveRow {
  state: MachineState | null;
  state_since: Date | null;
  state_ts: Date | null;
}

/**
 * What new values mean for one machine, in the ingesting transaction: its state (downtime opened and closed at
 * the machine's timestamps, equipment status, run hours), its counters (deltas from monotonic readings, resets
 * detected, reported on the running operation or kept for the cross-check, meters), its process values (an
 * alarm when they leave their limits, one more when they return) and the live snapshot for screens.
 */
@Injectable()
export class MachineEffects {
  private readonly logger = new Logger(MachineEffects.name);

  constructor(
    private readonly registry: TagRegistry,
    private readonly production: ProductionFacade,
    private readonly maintenance: MaintenanceFacade,
  ) {}

  /** Births and deaths (Sparkplug): the machines on those sources go online or offline. */
  async connections(
    tx: Tx,
    changes: ReadonlyArray<{ source: string; online: boolean; ts: number }>,
  ): Promise<void> {
    for (const c of [...changes].sort((a, b) => a.ts - b.ts)) {
      for (const equipmentId of this.registry.machinesOf(c.source)) {
        const machine = this.registry.machine(equipmentId);
        if (!machine) continue;
        const connection = c.online ? 'online' : 'offline';
        const [row] = await tx.manager.query<Array<{ changed: boolean }>>(
          `INSERT INTO machine_live_state AS l (equipment_id, site_id, connection, connection_since)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (equipment_id) DO UPDATE SET connection = excluded.connection,
                  connection_since = excluded.connection_since
            WHERE l.connection IS DISTINCT FROM excluded.connection AND l.connection_since <= excluded.connection_since
           RETURNING true AS changed`,
          [equipmentId, machine.siteId, connection, new Date(c.ts)],
        );
        if (row?.changed) {
          tx.raise('machine.connection.changed', {
            siteId: machine.siteId,
            equipmentId,
            connection,
            source: c.source,
            at: new Date(c.ts).toISOString(),
          });
        }
      }
    }
  }

  async apply(tx: Tx, equipmentId: string, samples: readonly FreshSample[]): Promise<void> {
    const machine = this.registry.machine(equipmentId);
    if (!machine) return;
    const m = tx.manager;
    const siteId = machine.siteId;
    const newest = Math.max(...samples.map((s) => s.ts));
    await m.query(
      `INSERT INTO machine_live_state (equipment_id, site_id, last_seen_at) VALUES ($1, $2, $3)
       ON CONFLICT (equipment_id) DO NOTHING`,
      [equipmentId, siteId, new Date(newest)],
    );
    const [live] = await m.query<LiveRow[]>(
      `SELECT state, state_since, state_ts FROM machine_live_state WHERE equipment_id = $1 FOR UPDATE`,
      [equipmentId],
    );
    const tagIds = [...new Set(samples.map((s) => s.tag.id))];
    const states = new Map(
      (
        await m.query<TagStateRow[]>(
          `SELECT tag_id, last_ts, counter_value, counter_ts, alarm_since FROM machine_tag_state
            WHERE tag_id = ANY($1::uuid[]) ORDER BY tag_id FOR UPDATE`,
          [tagIds],
        )
      ).map((r) => [r.tag_id, r]),
    );
    const byTag = new Map<string, FreshSample[]>();
    for (const s of samples) {
      const list = byTag.get(s.tag.id) ?? [];
      list.push(s);
      byTag.set(s.tag.id, list);
    }
    let running: RunningOperation | null | undefined;
    const runningOp = async () => (running ??= await this.production.runningOperationOn(m, equipmentId));

    // State: downtime, equipment status, run hours.
    let runningMs = 0;
    const stateTag = samples.find((s) => s.tag.role === 'state')?.tag;
    let liveState = live?.state ?? null;
    let stateSince = live?.state_since ?? null;
    let stateTs = live?.state_ts ?? null;
    if (stateTag) {
      const mapped = (byTag.get(stateTag.id) ?? []).flatMap((s) => {
        const st = toMachineState(s.value, stateTag.stateMap);
        return st ? [{ ts: s.ts, state: st }] : [];
      });
      const out = applyStates(
        { state: liveState, since: stateSince?.getTime() ?? null, lastTs: stateTs?.getTime() ?? null },
        mapped,
      );
      runningMs = out.runningMs;
      for (const c of out.changes) {
        const at = new Date(c.at);
        if (c.stopStarts) {
          await this.production.machineStopped(tx, siteId, equipmentId, at, c.to as 'down' | 'setup');
        } else if (c.stopEnds) {
          await this.production.machineResumed(tx, siteId, equipmentId, at, c.to);
        } else if (c.to !== 'down' && c.to !== 'setup') {
          await this.production.machineResumed(tx, siteId, equipmentId, at, c.to);
        }
        tx.raise('machine.state.changed', {
          siteId,
          equipmentId,
          state: c.to,
          previousState: c.from,
          at: at.toISOString(),
        });
      }
      liveState = out.cursor.state;
      stateSince = out.cursor.since === null ? null : new Date(out.cursor.since);
      stateTs = out.cursor.lastTs === null ? null : new Date(out.cursor.lastTs);
    }

    // Counters: deltas from the machine's monotonic readings.
    const counted = { good: 0, scrap: 0 };
    const counterUpdates = new Map<string, { value: number; ts: number }>();
    for (const role of ['good_count', 'scrap_count'] as const) {
      for (const tag of uniqueTags(samples, role)) {
        const prior = states.get(tag.id);
        const previous =
          prior?.counter_value != null && prior.counter_ts
            ? { at: prior.counter_ts.getTime(), value: prior.counter_value }
            : null;
        const readings = (byTag.get(tag.id) ?? []).flatMap((s) =>
          typeof s.value === 'number' && Number.isFinite(s.value) && s.value >= 0
            ? [{ at: s.ts, value: s.value }]
            : [],
        );
        const steps = counterSteps(readings, previous);
        const sum = steps.reduce((n, s) => n + s.delta, 0);
        if (role === 'good_count') counted.good += sum;
        else counted.scrap += sum;
        const latest = readings.filter((r) => !previous || r.at > previous.at).sort((a, b) => b.at - a.at)[0];
        if (latest) counterUpdates.set(tag.id, { value: latest.value, ts: latest.at });
      }
    }
    if (counted.good > 0 || counted.scrap > 0) await this.count(tx, machine, counted, newest, runningOp);

    // Process values against their limits.
    for (const tag of uniqueTags(samples, 'parameter')) {
      const values = (byTag.get(tag.id) ?? []).flatMap((s) =>
        typeof s.value === 'number' && Number.isFinite(s.value) ? [{ ts: s.ts, value: s.value }] : [],
      );
      if (values.length === 0) continue;
      const limits = await this.limitsOf(tag, runningOp);
      if (limits.min === null && limits.max === null) continue;
      const prior = states.get(tag.id);
      const wasOut = prior?.alarm_since != null;
      const { crossings, outside } = limitCrossings(values, limits, wasOut);
      const op = crossings.length > 0 ? await runningOp() : null;
      for (const c of crossings) {
        tx.raise(
          c.direction === 'out' ? 'machine.parameter.out_of_range' : 'machine.parameter.back_in_range',
          {
            siteId,
            equipmentId,
            equipmentCode: machine.equipmentCode,
            tagId: tag.id,
            parameterName: tag.name,
            value: c.value,
            min: limits.min,
            max: limits.max,
            unit: tag.unit,
            side: c.side,
            operationId: op?.operationId ?? null,
            workOrderId: op?.workOrderId ?? null,
            workOrderCode: op?.workOrderCode ?? null,
            at: new Date(c.at).toISOString(),
          },
        );
      }
      if (outside !== wasOut) {
        const since = outside ? crossings.filter((c) => c.direction === 'out').at(-1)!.at : null;
        await m.query(
          `INSERT INTO machine_tag_state (tag_id, last_ts, alarm_since) VALUES ($1, $2, $2)
           ON CONFLICT (tag_id) DO UPDATE SET alarm_since = $3`,
          [tag.id, new Date(values[0]!.ts), since === null ? null : new Date(since)],
        );
      }
    }

    // Meters: pieces counted and hours run.
    const pieces = counted.good + counted.scrap;

    if (pieces > 0 || runningMs > 0) {
      await this.maintenance.recordMachineUsage(
        tx,
        equipmentId,
        { pieces, runHours: runningMs / 3_600_000 },
        new Date(newest),
      );
    }

    // The latest value of each tag (and counter positions), then the machine's live state.
    const latest = new Map<string, FreshSample>();
    for (const s of samples) {
      const cur = latest.get(s.tag.id);
      if (!cur || s.ts > cur.ts) latest.set(s.tag.id, s);
    }
    const rows = [...latest.values()].sort((a, b) => a.tag.id.localeCompare(b.tag.id));
    await m.query(
      `INSERT INTO machine_tag_state AS s (tag_id, last_ts, last_value, last_text, counter_value, counter_ts)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::float8[], $4::text[], $5::float8[], $6::timestamptz[])
       ON CONFLICT (tag_id) DO UPDATE SET
         last_ts = greatest(s.last_ts, excluded.last_ts),
         last_value = CASE WHEN excluded.last_ts >= s.last_ts THEN excluded.last_value ELSE s.last_value END,
         last_text = CASE WHEN excluded.last_ts >= s.last_ts THEN excluded.last_text ELSE s.last_text END,
         counter_value = coalesce(excluded.counter_value, s.counter_value),
         counter_ts = coalesce(excluded.counter_ts, s.counter_ts)`,
      [
        rows.map((r) => r.tag.id),
        rows.map((r) => new Date(r.ts).toISOString()),
        rows.map((r) =>
          typeof r.value === 'number' ? r.value : typeof r.value === 'boolean' ? Number(r.value) : null,
        ),
        rows.map((r) => (typeof r.value === 'string' ? r.value.slice(0, 200) : null)),
        rows.map((r) => counterUpdates.get(r.tag.id)?.value ?? null),
        rows.map((r) => {
          const c = counterUpdates.get(r.tag.id);
          return c ? new Date(c.ts).toISOString() : null;
        }),
      ],
    );
    await m.query(
      `UPDATE machine_live_state SET state = $2, state_since = $3, state_ts = $4,
              last_seen_at = greatest(coalesce(last_seen_at, $5), $5)
        WHERE equipment_id = $1`,
      [equipmentId, liveState, stateSince, stateTs, new Date(newest)],
    );
    tx.raise('machine.values', {
      siteId,
      equipmentId,
      values: rows.map((r) => ({
        tagId: r.tag.id,
        role: r.tag.role,
        name: r.tag.name,
        value: r.value,
        ts: new Date(r.ts).toISOString(),
      })),
    });
  }

  /**
   * Pieces the machine counted: kept against the operation running on it; in authority mode reported on it
   * (with the same guards as an operator's report — a refused count stays on record, unreported).
   */
  private async count(
    tx: Tx,
    machine: NonNullable<ReturnType<TagRegistry['machine']>>,
    counted: { good: number; scrap: number },
    at: number,
    runningOp: () => Promise<RunningOperation | null>,
  ): Promise<void> {
    const op = await runningOp();
    const good = formatExact(parseDecimal(counted.good.toFixed(6)));
    const scrap = formatExact(parseDecimal(counted.scrap.toFixed(6)));
    let reported = false;
    if (op) {
      await tx.manager.query(
        `INSERT INTO machine_operation_count AS c (operation_id, equipment_id, site_id, good_qty, scrap_qty, last_count_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (operation_id) DO UPDATE SET good_qty = c.good_qty + excluded.good_qty,
                scrap_qty = c.scrap_qty + excluded.scrap_qty, last_count_at = greatest(c.last_count_at, excluded.last_count_at)`,
        [op.operationId, machine.equipmentId, machine.siteId, good, scrap, new Date(at)],
      );
      if (machine.countMode === 'authority') {
        const outcome = await tx.attempt(() =>
          this.production.reportFromMachine(tx, machineActor(machine.siteId), op.operationId, {
            goodQty: good,
            scrapQty: scrap,
            scrapReasonCode: machine.scrapReasonCode ?? undefined,
          }),
        );
        reported = outcome.ok && outcome.value;
        if (reported) {
          await tx.manager.query(
            `UPDATE machine_operation_count SET reported_good_qty = reported_good_qty + $2,
                    reported_scrap_qty = reported_scrap_qty + $3 WHERE operation_id = $1`,
            [op.operationId, good, scrap],
          );
        } else {
          this.logger.warn(
            `${machine.equipmentCode}: operation ${op.workOrderCode}/${op.seq} refused the machine's count ` +
              `(${good} good, ${scrap} scrap)${outcome.ok ? '' : `: ${String(outcome.error)}`}`,
          );
        }
      }
    }
    tx.raise('machine.counted', {
      siteId: machine.siteId,
      equipmentId: machine.equipmentId,
      operationId: op?.operationId ?? null,
      workOrderId: op?.workOrderId ?? null,
      goodQty: good,
      scrapQty: scrap,
      countMode: machine.countMode,
      reported,
      at: new Date(at).toISOString(),
    });
  }

  /** The tag's own limits, else those of the running operation's parameter of that name. */
  private async limitsOf(tag: TagInfo, runningOp: () => Promise<RunningOperation | null>): Promise<Limits> {
    if (tag.min !== null || tag.max !== null) return { min: tag.min, max: tag.max };
    const op = await runningOp();
    const name = (tag.parameterName ?? tag.name).toLowerCase();
    const p = op?.parameters.find((x) => x.name.toLowerCase() === name);
    return { min: p?.min ?? null, max: p?.max ?? null };
  }
}

function uniqueTags(samples: readonly FreshSample[], role: TagInfo['role']): TagInfo[] {
  const seen = new Map<string, TagInfo>();
  for (const s of samples) if (s.tag.role === role) seen.set(s.tag.id, s.tag);
  return [...seen.values()];
}
