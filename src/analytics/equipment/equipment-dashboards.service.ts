import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  MaintenanceFacade,
  type OeeResult,
  type PerformanceReport,
  type ReliabilityResult,
} from '../../maintenance/maintenance.facade';
import type { LineRef } from '../dashboard-scope';
import { reliabilityTotal, roundRatio, type ReliabilityTotal } from '../engine/kpi';

/** OEE of a machine or of several together, as maintenance computes it (ISO 22400-2), ratios to 4 places. */
export interface OeeView {
  availability: number | null;
  /** ISO 22400 effectiveness (performance): Σ ideal cycle time × produced / running time. */
  effectiveness: number | null;
  qualityRatio: number | null;
  oee: number | null;
  plannedBusyMs: number;
  runningMs: number;
  setupMs: number;
  downMs: number;
  idleMs: number;
  /** Units produced and good, as the OEE engine counts them (reported on the machine in the period). */
  producedQuantity: number;
  goodQuantity: number;
  losses: OeeResult['losses'];
}

export interface OeeDashboard {
  siteId: string;
  from: string;
  to: string;
  line: LineRef | null;
  machines: Array<{
    equipmentId: string;
    code: string;
    name: string;
    calendarCode: string | null;
    oee: OeeView;
  }>;
  /** The machines together (the line's OEE when a line is asked for). */
  total: OeeView | null;
}

export interface ReliabilityView {
  failures: number;
  repaired: number;
  requiredMs: number;
  downtimeMs: number;
  uptimeMs: number;
  mtbfMs: number | null;
  mttrMs: number | null;
  availability: number | null;
}

export interface ReliabilityDashboard {
  siteId: string;
  from: string;
  to: string;
  line: LineRef | null;
  machines: Array<{ equipmentId: string; code: string; name: string } & ReliabilityView>;
  total: ReliabilityTotal;
}

const oeeView = (o: OeeResult): OeeView => ({
  availability: roundRatio(o.availability),
  effectiveness: roundRatio(o.effectiveness),
  qualityRatio: roundRatio(o.qualityRatio),
  oee: roundRatio(o.oee),
  plannedBusyMs: o.plannedBusyMs,
  runningMs: o.actualProductionMs,
  setupMs: o.setupMs,
  downMs: o.downMs,
  idleMs: o.idleMs,
  producedQuantity: o.producedQuantity,
  goodQuantity: o.goodQuantity,
  losses: o.losses,
});

const reliabilityView = (r: ReliabilityResult): ReliabilityView => ({
  failures: r.failures,
  repaired: r.repaired,
  requiredMs: r.requiredMs,
  downtimeMs: r.downtimeMs,
  uptimeMs: r.uptimeMs,
  mtbfMs: r.mtbfMs,
  mttrMs: r.mttrMs,
  availability: roundRatio(r.availability),
});

/**
 * Machines' OEE with its losses, and their MTBF/MTTR: maintenance's performance report (through its facade),
 * for the machines named, the machines of a line, or every active machine of the site.
 */
@Injectable()
export class EquipmentDashboardsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly maintenance: MaintenanceFacade,
  ) {}

  async oee(q: Query): Promise<OeeDashboard> {
    const report = await this.report(q);
    return {
      ...head(q),
      machines: (report?.machines ?? []).map((m) => ({
        equipmentId: m.equipmentId,
        code: m.code,
        name: m.name,
        calendarCode: m.calendarCode,
        oee: oeeView(m.oee),
      })),
      total: report ? oeeView(report.total) : null,
    };
  }

  async reliability(q: Query): Promise<ReliabilityDashboard> {
    const machines = (await this.report(q))?.machines ?? [];
    return {
      ...head(q),
      machines: machines.map((m) => ({
        equipmentId: m.equipmentId,
        code: m.code,
        name: m.name,
        ...reliabilityView(m.reliability),
      })),
      total: reliabilityTotal(machines.map((m) => m.reliability)),
    };
  }

  /** Maintenance's report for the scope; null when the site has no machine to report on. */
  private async report(q: Query): Promise<PerformanceReport | null> {
    const period = { from: q.from.toISOString(), to: q.to.toISOString() };
    if (q.line) return this.maintenance.performance(q.siteId, { ...period, line: q.line.id });
    const equipment = q.equipment.length
      ? q.equipment
      : (
          await this.dataSource.query<Array<{ code: string }>>(
            `SELECT code FROM equipment WHERE site_id = $1 AND active ORDER BY code`,
            [q.siteId],
          )
        ).map((e) => e.code);
    if (equipment.length === 0) return null;
    return this.maintenance.performance(q.siteId, { ...period, equipment: equipment.join(',') });
  }
}

interface Query {
  siteId: string;
  line: LineRef | null;
  /** Machines by id or code; every active machine of the site when empty (and no line is named). */
  equipment: string[];
  from: Date;
  to: Date;
}

const head = (q: Query) => ({
  siteId: q.siteId,
  from: q.from.toISOString(),
  to: q.to.toISOString(),
  line: q.line,
});
