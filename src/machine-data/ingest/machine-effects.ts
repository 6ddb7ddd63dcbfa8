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
import type { MachineValues } from '../machine-data.events';

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

interface TagStateWrite {
  tagId: string;
  lastTs: string;
  lastValue: number | null;
  lastText: string | null;
  counterValue: number | null;
  counterTs: string | null;
  alarmSince: string | null;
}

interface LiveWrite {
  equipmentId: string;
  state: string | null;
  stateSince: string | null;
  stateTs: string | null;
  seen: string;
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

  /**
   * Applies a batch's new values of many machines. The bookkeeping every value needs (live state, each tag's
   * last value and counter position) is read and written for all machines at once; what a machine's values
   * mean for the shop floor (downtime, reports, meters, alarms) runs per machine in its own savepoint, and only
   * for machines where something happened. Answers the machines whose effects failed and were undone.
   */
  async applyBatch(tx: Tx, samples: readonly FreshSample[]): Promise<number> {
    const m = tx.manager;
    const byMachine = new Map<string, FreshSample[]>();
    for (const s of samples) {
      if (!this.registry.machine(s.tag.equipmentId)) continue;
      const list = byMachine.get(s.tag.equipmentId) ?? [];
      list.push(s);
      byMachine.set(s.tag.equipmentId, list);
    }
    // Machines in a fixed order: two instances writing the same machines lock them in the same order.
    const ids = [...byMachine.keys()].sort();
    if (ids.length === 0) return 0;
    const newestOf = (id: string) => Math.max(...byMachine.get(id)!.map((s) => s.ts));
    await m.query(
      `INSERT INTO machine_live_state (equipment_id, site_id, last_seen_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) ON CONFLICT (equipment_id) DO NOTHING`,
      [
        ids,
        ids.map((id) => this.registry.machine(id)!.siteId),
        ids.map((id) => new Date(newestOf(id)).toISOString()),
      ],
    );
    const lives = new Map(
      (
        await m.query<Array<LiveRow & { equipment_id: string }>>(
          `SELECT equipment_id, state, state_since, state_ts FROM machine_live_state
            WHERE equipment_id = ANY($1::uuid[]) ORDER BY equipment_id FOR UPDATE`,
          [ids],
        )
      ).map((r) => [r.equipment_id, r]),
    );
    const tagIds = [...new Set(samples.map((s) => s.tag.id))].sort();
    const states = new Map(
      (
        await m.query<TagStateRow[]>(
          `SELECT tag_id, last_ts, counter_value, counter_ts, alarm_since FROM machine_tag_state
            WHERE tag_id = ANY($1::uuid[]) ORDER BY tag_id FOR UPDATE`,
          [tagIds],
        )
      ).map((r) => [r.tag_id, r]),
    );
    // What the effects may need, for all machines in one go each.
    const needOp = ids.filter((id) =>
      byMachine
        .get(id)!
        .some(
          (s) =>
            s.tag.role === 'good_count' ||
            s.tag.role === 'scrap_count' ||
            (s.tag.role === 'parameter' && s.tag.min === null && s.tag.max === null),
        ),
    );
    const running =
      needOp.length > 0
        ? await this.production.runningOperationsOn(m, needOp)
        : new Map<string, RunningOperation>();
    const metered = await this.maintenance.machinesWithMachineMeters(m, ids);

    const tagRows: TagStateWrite[] = [];
    const liveRows: LiveWrite[] = [];
    let failed = 0;
    for (const id of ids) {
      const plan = this.plan(
        id,
        byMachine.get(id)!,
        lives.get(id) ?? null,
        states,
        running.get(id) ?? null,
        metered.has(id),
      );
      tagRows.push(...plan.tags);
      liveRows.push(plan.live);
      if (plan.work.length > 0) {
        const outcome = await tx.attempt(async () => {
          for (const step of plan.work) await step(tx);
        });
        if (!outcome.ok) {
          failed++;
          this.logger.warn(
            `machine ${id}: effects of ${byMachine.get(id)!.length} values undone: ${String(outcome.error)}`,
          );
        }
      }
      tx.raise('machine.values', plan.values);
    }
    await m.query(
      `INSERT INTO machine_tag_state AS s (tag_id, last_ts, last_value, last_text, counter_value, counter_ts, alarm_since)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::float8[], $4::text[], $5::float8[], $6::timestamptz[],
                            $7::timestamptz[])
       ON CONFLICT (tag_id) DO UPDATE SET
         last_ts = greatest(s.last_ts, excluded.last_ts),
         last_value = CASE WHEN excluded.last_ts >= s.last_ts THEN excluded.last_value ELSE s.last_value END,
         last_text = CASE WHEN excluded.last_ts >= s.last_ts THEN excluded.last_text ELSE s.last_text END,
         counter_value = coalesce(excluded.counter_value, s.counter_value),
         counter_ts = coalesce(excluded.counter_ts, s.counter_ts),
         alarm_since = excluded.alarm_since`,
      [
        tagRows.map((r) => r.tagId),
        tagRows.map((r) => r.lastTs),
        tagRows.map((r) => r.lastValue),
        tagRows.map((r) => r.lastText),
        tagRows.map((r) => r.counterValue),
        tagRows.map((r) => r.counterTs),
        tagRows.map((r) => r.alarmSince),
      ],
    );
    await m.query(
      `UPDATE machine_live_state l SET state = v.state, state_since = v.state_since, state_ts = v.state_ts,
              last_seen_at = greatest(coalesce(l.last_seen_at, v.seen), v.seen)
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
              AS v(equipment_id, state, state_since, state_ts, seen)
        WHERE l.equipment_id = v.equipment_id`,
      [
        liveRows.map((r) => r.equipmentId),
        liveRows.map((r) => r.state),
        liveRows.map((r) => r.stateSince),
        liveRows.map((r) => r.stateTs),
        liveRows.map((r) => r.seen),
      ],
    );
    return failed;
  }

  /**
   * What one machine's new values mean, worked out without the database: the bookkeeping rows to write and the
   * shop-floor steps to take (run in the machine's savepoint).
   */
  private plan(
    equipmentId: string,
    samples: readonly FreshSample[],
    live: LiveRow | null,
    states: ReadonlyMap<string, TagStateRow>,
    op: RunningOperation | null,
    metered: boolean,
  ): {
    tags: TagStateWrite[];
    live: LiveWrite;
    work: Array<(tx: Tx) => Promise<unknown>>;
    values: MachineValues;
  } {
    const machine = this.registry.machine(equipmentId)!;
    const siteId = machine.siteId;
    const newest = Math.max(...samples.map((s) => s.ts));
    const work: Array<(tx: Tx) => Promise<unknown>> = [];
    const byTag = new Map<string, FreshSample[]>();
    for (const s of samples) {
      const list = byTag.get(s.tag.id) ?? [];
      list.push(s);
      byTag.set(s.tag.id, list);
    }

    // State: downtime, equipment status, run hours.
    let runningMs = 0;
    let liveState = live?.state ?? null;
    let stateSince = live?.state_since ?? null;
    let stateTs = live?.state_ts ?? null;
    const stateTag = samples.find((s) => s.tag.role === 'state')?.tag;
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
        work.push(async (tx) => {
          if (c.stopStarts)
            await this.production.machineStopped(tx, siteId, equipmentId, at, c.to as 'down' | 'setup');
          else if (c.to !== 'down' && c.to !== 'setup')
            await this.production.machineResumed(tx, siteId, equipmentId, at, c.to);
          tx.raise('machine.state.changed', {
            siteId,
            equipmentId,
            state: c.to,
            previousState: c.from,
            at: at.toISOString(),
          });
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
        const sum = counterSteps(readings, previous).reduce((n, s) => n + s.delta, 0);
        if (role === 'good_count') counted.good += sum;
        else counted.scrap += sum;
        const latest = readings.filter((r) => !previous || r.at > previous.at).sort((a, b) => b.at - a.at)[0];
        if (latest) counterUpdates.set(tag.id, { value: latest.value, ts: latest.at });
      }
    }
    if (counted.good > 0 || counted.scrap > 0)
      work.push((tx) => this.count(tx, machine, counted, newest, op));

    // Process values against their limits.
    const alarms = new Map<string, Date | null>();
    for (const tag of uniqueTags(samples, 'parameter')) {
      const limits = this.limitsOf(tag, op);
      if (limits.min === null && limits.max === null) continue;
      const values = (byTag.get(tag.id) ?? []).flatMap((s) =>
        typeof s.value === 'number' && Number.isFinite(s.value) ? [{ ts: s.ts, value: s.value }] : [],
      );
      if (values.length === 0) continue;
      const wasOut = states.get(tag.id)?.alarm_since != null;
      const { crossings, outside } = limitCrossings(values, limits, wasOut);
      if (outside !== wasOut)
        alarms.set(
          tag.id,
          outside ? new Date(crossings.filter((c) => c.direction === 'out').at(-1)!.at) : null,
        );
      if (crossings.length > 0) {
        work.push((tx) => {
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
          return Promise.resolve();
        });
      }
    }

    // Meters: pieces counted and hours run.
    const pieces = counted.good + counted.scrap;
    if (metered && (pieces > 0 || runningMs > 0)) {
      work.push((tx) =>
        this.maintenance.recordMachineUsage(
          tx,
          equipmentId,
          { pieces, runHours: runningMs / 3_600_000 },
          new Date(newest),
        ),
      );
    }

    // The latest value of each tag, its counter position and alarm.
    const latest = new Map<string, FreshSample>();
    for (const s of samples) {
      const cur = latest.get(s.tag.id);
      if (!cur || s.ts > cur.ts) latest.set(s.tag.id, s);
    }
    const rows = [...latest.values()];
    const tags = rows.map((r): TagStateWrite => {
      const c = counterUpdates.get(r.tag.id);
      const prior = states.get(r.tag.id);
      return {
        tagId: r.tag.id,
        lastTs: new Date(r.ts).toISOString(),
        lastValue:
          typeof r.value === 'number' ? r.value : typeof r.value === 'boolean' ? Number(r.value) : null,
        lastText: typeof r.value === 'string' ? r.value.slice(0, 200) : null,
        counterValue: c?.value ?? null,
        counterTs: c ? new Date(c.ts).toISOString() : null,
        alarmSince:
          (alarms.has(r.tag.id) ? alarms.get(r.tag.id) : (prior?.alarm_since ?? null))?.toISOString() ?? null,
      };
    });
    return {
      tags,
      live: {
        equipmentId,
        state: liveState,
        stateSince: stateSince?.toISOString() ?? null,
        stateTs: stateTs?.toISOString() ?? null,
        seen: new Date(newest).toISOString(),
      },
      work,
      values: {
        siteId,
        equipmentId,
        values: rows.map((r) => ({
          tagId: r.tag.id,
          role: r.tag.role,
          name: r.tag.name,
          value: r.value,
          ts: new Date(r.ts).toISOString(),
        })),
      },
    };
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
    op: RunningOperation | null,
  ): Promise<void> {
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
  private limitsOf(tag: TagInfo, op: RunningOperation | null): Limits {
    if (tag.min !== null || tag.max !== null) return { min: tag.min, max: tag.max };
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
