import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MachineCalendar } from '../master-data/master-data.facade';
import { subtract } from './engine/intervals';
import { PerformanceService, type PerformanceReport } from './reliability/performance.service';
import { AssetsService } from './assets/assets.service';
import type { Tx } from '../platform/database/transaction-runner';

export type { MachinePerformance, PerformanceReport } from './reliability/performance.service';
export type { OeeResult } from './engine/oee';
export type { ReliabilityResult } from './engine/reliability';
export { counterSteps, type CounterSample, type CounterStep } from './engine/meter';

/** A machine that is down with no expected return is kept free this long from now in a plan. */
export const DEFAULT_REPAIR_MINUTES = 240;

export interface MachineBlock {
  from: Date;
  to: Date;
  /** `pm`: a reserved maintenance window; `breakdown`: down until the technician expects it back. */
  reason: 'pm' | 'window' | 'breakdown';
  ticketCode: string | null;
}

/** What other modules (planning) may ask of maintenance. */
@Injectable()
export class MaintenanceFacade {
  constructor(
    private readonly performanceReports: PerformanceService,
    private readonly assets: AssetsService,
  ) {}

  /**
   * A machine's use as machine data saw it (pieces its counters counted, hours it reported running), in the
   * caller's transaction: added to the machine's meters fed by machine data. Answers how many meters moved.
   */
  /** Which of some machines have meters fed by machine data (the others need no usage recorded). */
  async machinesWithMachineMeters(m: EntityManager, equipmentIds: string[]): Promise<Set<string>> {
    const rows = await m.query<Array<{ equipment_id: string }>>(
      `SELECT DISTINCT a.equipment_id FROM maintenance_meter mm JOIN maintenance_asset a ON a.id = mm.asset_id
        WHERE a.equipment_id = ANY($1::uuid[]) AND a.active AND mm.feed IN ('machine_count', 'machine_run_time')`,
      [equipmentIds],
    );
    return new Set(rows.map((r) => r.equipment_id));
  }

  recordMachineUsage(
    tx: Tx,
    equipmentId: string,
    usage: { pieces: number; runHours: number },
    at: Date,
  ): Promise<number> {
    return this.assets.machineUsageIn(tx.manager, equipmentId, usage, at);
  }

  /**
   * OEE (ISO 22400-2) with its losses, and MTBF/MTTR, per machine (named by id or code, comma-separated, or
   * every machine of a line) and their total, from the shop floor's records between two instants.
   */
  performance(
    siteId: string,
    q: { from: string; to: string; equipment?: string; line?: string },
  ): Promise<PerformanceReport> {
    return this.performanceReports.report(siteId, q);
  }

  /**
   * Machine calendars less the time maintenance keeps the machines (round the clock for a machine without a
   * calendar that has such time): what the APS may plan on.
   */
  async withoutMaintenance(
    m: EntityManager,
    calendars: readonly MachineCalendar[],
    from: Date,
    to: Date,
    now: Date = new Date(),
  ): Promise<MachineCalendar[]> {
    const blocks = await this.unavailability(
      m,
      calendars.map((c) => ({ id: c.equipmentId, status: c.status })),
      from,
      to,
      now,
    );
    return calendars.map((c) => {
      const cut = (blocks.get(c.equipmentId) ?? []).map((b) => ({
        from: b.from.getTime(),
        to: b.to.getTime(),
      }));
      if (cut.length === 0) return c;
      const base = c.intervals ?? [{ start: from.toISOString(), end: to.toISOString() }];
      const intervals = base.flatMap((i) =>
        subtract([{ from: Date.parse(i.start), to: Date.parse(i.end) }], cut).map((x) => ({
          ...i,
          start: new Date(x.from).toISOString(),
          end: new Date(x.to).toISOString(),
        })),
      );
      return { ...c, intervals };
    });
  }

  /**
   * When machines cannot be planned between two instants: the windows reserved by active tickets, and a
   * machine that is down (or in maintenance) from now until its breakdown ticket's expected return (else
   * DEFAULT_REPAIR_MINUTES from now, or the end of a window it is in).
   */
  private async unavailability(
    m: EntityManager,
    machines: ReadonlyArray<{ id: string; status: string }>,
    from: Date,
    to: Date,
    now: Date = new Date(),
  ): Promise<Map<string, MachineBlock[]>> {
    const out = new Map<string, MachineBlock[]>();
    if (machines.length === 0) return out;
    const ids = machines.map((x) => x.id);
    const rows: Array<{
      code: string;
      equipment_id: string;
      kind: string;
      breakdown: boolean;
      window_start: Date | null;
      window_end: Date | null;
      expected_back_at: Date | null;
    }> = await m.query(
      `SELECT code, equipment_id, kind, breakdown, window_start, window_end, expected_back_at
         FROM maintenance_ticket
        WHERE equipment_id = ANY($1::uuid[]) AND status IN ('open', 'assigned', 'in_progress')
          AND (breakdown OR (window_start < $3 AND window_end > $2))
        ORDER BY window_start NULLS FIRST, code`,
      [ids, from, to],
    );
    const add = (id: string, b: MachineBlock) => {
      if (b.to <= b.from || b.to <= from || b.from >= to) return;
      const list = out.get(id) ?? [];
      list.push(b);
      out.set(id, list);
    };
    for (const r of rows) {
      if (r.window_start && r.window_end) {
        add(r.equipment_id, {
          from: r.window_start,
          to: r.window_end,
          reason: r.kind === 'preventive' ? 'pm' : 'window',
          ticketCode: r.code,
        });
      }
    }
    for (const machine of machines) {
      if (machine.status !== 'down' && machine.status !== 'maintenance') continue;
      const breakdowns = rows.filter((r) => r.equipment_id === machine.id && r.breakdown);
      const expected = breakdowns
        .map((r) => r.expected_back_at?.getTime())
        .filter((x): x is number => x !== undefined);
      const inWindow = rows
        .filter(
          (r) =>
            r.equipment_id === machine.id &&
            r.window_start &&
            r.window_end &&
            r.window_start.getTime() <= now.getTime() &&
            r.window_end.getTime() > now.getTime(),
        )
        .map((r) => r.window_end!.getTime());
      const until =
        expected.length > 0
          ? Math.max(...expected, now.getTime() + 60_000)
          : inWindow.length > 0
            ? Math.max(...inWindow)
            : now.getTime() + DEFAULT_REPAIR_MINUTES * 60_000;
      add(machine.id, {
        from: now,
        to: new Date(until),
        reason: 'breakdown',
        ticketCode: breakdowns[0]?.code ?? null,
      });
    }
    return out;
  }
}
