import { Injectable } from '@nestjs/common';
import { fieldError } from '../../platform/errors/domain-error';
import { DataSource, type EntityManager } from 'typeorm';
import { MasterDataFacade, type Equipment } from '../../master-data/master-data.facade';
import { ProductionFacade, type MachineHistory } from '../../production/production.facade';
import type { Interval } from '../engine/intervals';
import {
  oeeFigures,
  oeeOf,
  sumFigures,
  type OeeFigures,
  type OeeResult,
  type StateSpan,
} from '../engine/oee';
import { reliability, type ReliabilityResult } from '../engine/reliability';

const DAY_MS = 86_400_000;
const MAX_DAYS = 400;
const MAX_SHIFT_DAYS = 31;

export interface MachinePerformance {
  equipmentId: string;
  code: string;
  name: string;
  /** The shift calendar used (null: none, the whole period is planned). */
  calendarCode: string | null;
  oee: OeeResult;
  reliability: ReliabilityResult;
  /** Per shift of the calendar (when asked for). */
  shifts?: Array<{ shift: string; oee: OeeResult }>;
}

export interface PerformanceReport {
  from: string;
  to: string;
  machines: MachinePerformance[];
  /** All machines asked for together (the line's OEE when a line was asked for). */
  total: OeeResult;
  totalByShift?: Array<{ shift: string; oee: OeeResult }>;
}

/**
 * OEE (ISO 22400-2) and reliability (MTBF, MTTR, availability) per machine, line and shift, from the shop
 * floor's records: planned time from the shift calendars, running time from operations run on the machine,
 * downtime with reasons, ideal cycle times from the routings, good and scrap quantities from terminal reports.
 */
@Injectable()
export class PerformanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly masterData: MasterDataFacade,
    private readonly production: ProductionFacade,
  ) {}

  async report(
    siteId: string,
    q: { from: string; to: string; equipment?: string; line?: string; byShift?: boolean },
  ): Promise<PerformanceReport> {
    const m = this.dataSource.manager;
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (to <= from) throw fieldError('to', 'must be after from');
    if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS) throw fieldError('to', `at most ${MAX_DAYS} days`);
    if (q.byShift && to.getTime() - from.getTime() > MAX_SHIFT_DAYS * DAY_MS) {
      throw fieldError('byShift', `split by shift over at most ${MAX_SHIFT_DAYS} days`);
    }
    const machines = await this.machines(m, siteId, q.equipment, q.line);
    const ids = machines.map((e) => e.id);
    const calendars = new Map(
      (await this.masterData.machineCalendars(siteId, ids, from, to, m)).map((c) => [c.equipmentId, c]),
    );
    const history = await this.production.machineHistory(m, ids, from, to);
    const period: Interval = { from: from.getTime(), to: to.getTime() };
    const out: MachinePerformance[] = [];
    const allFigures: OeeFigures[] = [];
    const shiftFigures = new Map<string, OeeFigures[]>();
    for (const eq of machines) {
      const cal = calendars.get(eq.id);
      const shiftIntervals = cal?.intervals
        ? cal.intervals.map((i) => ({
            from: Date.parse(i.start),
            to: Date.parse(i.end),
            shift: i.shift ?? 'shift',
          }))
        : [{ ...period, shift: 'all day' }];
      const figures = oeeFigures(this.input(eq.id, history, period, shiftIntervals));
      allFigures.push(figures);
      const unplanned = history.downtime.filter(
        (d) => d.equipmentId === eq.id && d.category !== 'downtime_planned',
      );
      const rel = reliability({
        period,
        required: shiftIntervals,
        breakdowns: unplanned.map((d) => ({ from: d.from.getTime(), to: d.open ? null : d.to.getTime() })),
      });
      const perf: MachinePerformance = {
        equipmentId: eq.id,
        code: eq.code,
        name: eq.name,
        calendarCode: cal?.calendarCode ?? null,
        oee: oeeOf(figures),
        reliability: rel,
      };
      if (q.byShift) {
        const names = [...new Set(shiftIntervals.map((s) => s.shift))];
        perf.shifts = [];
        for (const name of names) {
          const parts: OeeFigures[] = [];
          for (const s of shiftIntervals.filter((x) => x.shift === name)) {
            const h = await this.production.machineHistory(m, [eq.id], new Date(s.from), new Date(s.to));
            parts.push(oeeFigures(this.input(eq.id, h, s, [s])));
          }
          const f = sumFigures(parts);
          perf.shifts.push({ shift: name, oee: oeeOf(f) });
          shiftFigures.set(name, [...(shiftFigures.get(name) ?? []), f]);
        }
      }
      out.push(perf);
    }
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      machines: out,
      total: oeeOf(sumFigures(allFigures)),
      ...(q.byShift
        ? { totalByShift: [...shiftFigures].map(([shift, f]) => ({ shift, oee: oeeOf(sumFigures(f)) })) }
        : {}),
    };
  }

  private input(equipmentId: string, h: MachineHistory, period: Interval, shifts: Interval[]) {
    const down = h.downtime.filter((d) => d.equipmentId === equipmentId);
    const states: StateSpan[] = [
      ...(h.running.get(equipmentId) ?? []).map((r) => ({
        from: r.from.getTime(),
        to: r.to.getTime(),
        state: 'running' as const,
      })),
      ...down
        .filter((d) => d.category !== 'downtime_planned')
        .map((d) => ({
          from: d.from.getTime(),
          to: d.to.getTime(),
          state: 'down' as const,
          reason: d.reasonCode,
        })),
    ];
    // Scrap comes per machine and reason; each output line takes reasons up to its own scrap (only the sums
    // count), so a reason never lands on a line without scrap and shows up again as `unspecified`.
    const reasons = h.scrap
      .filter((s) => s.equipmentId === equipmentId)
      .map((s) => ({ reason: s.reasonCode, left: Number(s.quantity) }));
    const output = h.output.filter((o) => o.equipmentId === equipmentId);
    const production = output.map((o) => {
      const scrapByReason: Record<string, number> = {};
      let open = Number(o.scrapQty);
      for (const r of reasons) {
        const take = Math.min(open, r.left);
        if (take <= 0) continue;
        scrapByReason[r.reason] = (scrapByReason[r.reason] ?? 0) + take;
        r.left -= take;
        open -= take;
      }
      return {
        idealCycleMs: Number(o.idealCycleSec ?? '0') * 1000,
        produced: Number(o.goodQty) + Number(o.scrapQty),
        good: Number(o.goodQty),
        scrapByReason,
      };
    });
    return {
      period,
      shifts,
      plannedDowntime: down
        .filter((d) => d.category === 'downtime_planned')
        .map((d) => ({ from: d.from.getTime(), to: d.to.getTime() })),
      states,
      production,
    };
  }

  private async machines(
    m: EntityManager,
    siteId: string,
    equipment?: string,
    line?: string,
  ): Promise<Equipment[]> {
    if (line) {
      const l = await this.masterData.line(siteId, line, m);
      if (!l) throw fieldError('line', `no line ${line} at this site`);
      return this.masterData.equipmentOfLine(siteId, l.id, m);
    }
    if (!equipment) throw fieldError('equipment', 'name machines (equipment) or a line');
    const out: Equipment[] = [];
    for (const ref of equipment
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const eq = await this.masterData.equipment(siteId, ref, m);
      if (!eq) throw fieldError('equipment', `no equipment ${ref} at this site`);
      if (!out.some((x) => x.id === eq.id)) out.push(eq);
    }
    return out;
  }
}
