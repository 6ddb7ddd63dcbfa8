import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import type { Page } from '../../platform/http/pagination';
import {
  statusesOf,
  type CompareQueryDto,
  type GanttQueryDto,
  type VersionQueryDto,
} from '../api/planning.dto';
import type { PlanSnapshot } from '../model/plan-snapshot';
import { instantOf } from '../model/plan-time';
import { PlanningErrorCode } from '../planning.errors';
import { ScheduleVersion } from '../versions/schedule-version.entity';
import { ScheduleVersionsRepository } from '../versions/schedule-versions.repository';
import {
  comparePlans,
  impactOf,
  type ImpactReport,
  type PlanComparison,
  type PlanSide,
} from './plan-comparison';
import { viewOf, type ScheduleVersionView } from './schedule-version.view';

export interface GanttBar {
  operationId: string;
  workOrderId: string;
  workOrderCode: string;
  materialCode: string;
  seq: number;
  name: string;
  equipmentId: string;
  equipmentCode: string;
  setupStart: string;
  start: string;
  end: string;
  /** Wall-clock minutes of setup before the start (0: none). */
  setupMinutes: number;
  frozen: boolean;
  /** Its work order ends after its due date in this plan. */
  late: boolean;
  priority: 'normal' | 'rush';
}

export interface GanttMachineRow {
  equipmentId: string;
  code: string;
  name: string;
  workCenterId: string;
  workCenterCode: string;
  utilisation: number | null;
  /** Off-shift time (no calendar: none) within the chart's range. */
  unavailable: Array<{ start: string; end: string }>;
  bars: GanttBar[];
}

export interface GanttWorkOrderRow {
  workOrderId: string;
  code: string;
  materialCode: string;
  quantity: string;
  dueAt: string;
  priority: 'normal' | 'rush';
  start: string;
  end: string;
  late: boolean;
  minutesLate: number;
  bars: GanttBar[];
}

export interface Gantt {
  version: Pick<ScheduleVersionView, 'id' | 'code' | 'kind' | 'status' | 'name' | 'origin'>;
  by: 'machine' | 'workorder';
  from: string;
  to: string;
  rows: GanttMachineRow[] | GanttWorkOrderRow[];
}

/** Reads of schedule versions: lists, one version, the Gantt chart data, comparisons and rush impact. */
@Injectable()
export class ScheduleViewsService {
  constructor(private readonly versions: ScheduleVersionsRepository) {}

  async list(p: Principal, siteId: string, q: VersionQueryDto): Promise<Page<ScheduleVersionView>> {
    assertSiteAccess(p, siteId);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const statuses = statusesOf(q.status);
    const [rows, total] = await this.versions
      .manager()
      .getRepository(ScheduleVersion)
      .findAndCount({
        where: {
          siteId,
          ...(q.kind ? { kind: q.kind } : {}),
          ...(statuses ? { status: In(statuses) } : {}),
        },
        order: { number: 'DESC' },
        take: limit,
        skip: offset,
      });
    const live = await this.versions.live(siteId);
    return { items: rows.map((r) => viewOf(r, live?.id ?? null)), total, limit, offset };
  }

  async get(p: Principal, siteId: string, id: string): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    const v = await this.versions.find(siteId, id);
    if (!v) throw notFound('schedule version', id);
    return viewOf(v, (await this.versions.live(siteId))?.id ?? null);
  }

  async live(p: Principal, siteId: string): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    const v = await this.versions.live(siteId);
    if (!v) throw noLivePlan();
    return viewOf(v, v.id);
  }

  async gantt(p: Principal, siteId: string, q: GanttQueryDto): Promise<Gantt> {
    assertSiteAccess(p, siteId);
    const v = q.versionId ? await this.versions.find(siteId, q.versionId) : await this.versions.live(siteId);
    if (!v) throw q.versionId ? notFound('schedule version', q.versionId) : noLivePlan();
    const model = await this.versions.model(v.id);
    const assignments = await this.versions.assignments(v.id);
    const spans = await this.versions.orderSpans(v.id);
    const origin = model?.origin ?? v.origin?.toISOString() ?? new Date().toISOString();
    const lastEnd = Math.max(Date.parse(origin), ...assignments.map((a) => a.endsAt.getTime()));
    const from = q.from ? Date.parse(q.from) : Date.parse(origin);
    const to = q.to ? Date.parse(q.to) : lastEnd;
    if (to <= from) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, '`to` must be after `from`', {
        errors: [{ field: 'to', message: 'must be after from' }],
      });
    }
    const machines = model?.machines ?? {};
    const orders = model?.orders ?? {};
    const ops = model?.operations ?? {};
    const lateOf = (workOrderId: string): number => {
      const end = spans.get(workOrderId)?.end.getTime();
      const due = orders[workOrderId] ? Date.parse(orders[workOrderId].dueAt) : undefined;
      return end !== undefined && due !== undefined ? Math.max(0, Math.round((end - due) / 60_000)) : 0;
    };
    const bars: GanttBar[] = assignments
      .filter((a) => a.endsAt.getTime() > from && a.setupStartsAt.getTime() < to)
      .filter((a) => !q.workCenterId || machines[a.equipmentId]?.workCenterId === q.workCenterId)
      .map((a) => ({
        operationId: a.operationId,
        workOrderId: a.workOrderId,
        workOrderCode: orders[a.workOrderId]?.code ?? '',
        materialCode: orders[a.workOrderId]?.materialCode ?? '',
        seq: ops[a.operationId]?.seq ?? 0,
        name: ops[a.operationId]?.name ?? '',
        equipmentId: a.equipmentId,
        equipmentCode: machines[a.equipmentId]?.code ?? '',
        setupStart: a.setupStartsAt.toISOString(),
        start: a.startsAt.toISOString(),
        end: a.endsAt.toISOString(),
        setupMinutes: Math.round((a.startsAt.getTime() - a.setupStartsAt.getTime()) / 60_000),
        frozen: a.frozen,
        late: lateOf(a.workOrderId) > 0,
        priority: orders[a.workOrderId]?.priority ?? 'normal',
      }));
    const header = { id: v.id, code: v.code, kind: v.kind, status: v.status, name: v.name, origin: v.origin };
    const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    if ((q.by ?? 'machine') === 'machine') {
      const utilisation = new Map((v.kpis?.utilisation ?? []).map((u) => [u.equipmentId, u.utilisation]));
      const rows: GanttMachineRow[] = Object.entries(machines)
        .filter(([, m]) => !q.workCenterId || m.workCenterId === q.workCenterId)
        .map(([equipmentId, m]) => ({
          equipmentId,
          code: m.code,
          name: m.name,
          workCenterId: m.workCenterId,
          workCenterCode: m.workCenterCode,
          utilisation: utilisation.get(equipmentId) ?? null,
          unavailable: offShift(model, equipmentId, from, to),
          bars: bars
            .filter((b) => b.equipmentId === equipmentId)
            .sort((a, b) => a.start.localeCompare(b.start)),
        }))
        .sort((a, b) => a.workCenterCode.localeCompare(b.workCenterCode) || a.code.localeCompare(b.code));
      return { version: header, by: 'machine', ...range, rows };
    }
    const byOrder = new Map<string, GanttBar[]>();
    for (const bar of bars) byOrder.set(bar.workOrderId, [...(byOrder.get(bar.workOrderId) ?? []), bar]);
    const rows: GanttWorkOrderRow[] = [...byOrder]
      .map(([workOrderId, list]) => {
        const label = orders[workOrderId];
        const span = spans.get(workOrderId)!;
        const minutesLate = lateOf(workOrderId);
        return {
          workOrderId,
          code: label?.code ?? '',
          materialCode: label?.materialCode ?? '',
          quantity: label?.quantity ?? '',
          dueAt: label?.dueAt ?? '',
          priority: label?.priority ?? 'normal',
          start: span.start.toISOString(),
          end: span.end.toISOString(),
          late: minutesLate > 0,
          minutesLate,
          bars: list.sort((a, b) => a.seq - b.seq || a.start.localeCompare(b.start)),
        };
      })
      .sort((a, b) => a.start.localeCompare(b.start) || a.code.localeCompare(b.code));
    return { version: header, by: 'workorder', ...range, rows };
  }

  /** A version beside another: by default the live plan it was made against (else the live plan now). */
  async compare(p: Principal, siteId: string, id: string, q: CompareQueryDto): Promise<PlanComparison> {
    assertSiteAccess(p, siteId);
    const right = await this.versions.find(siteId, id);
    if (!right) throw notFound('schedule version', id);
    const leftId = q.with ?? right.baselineId ?? (await this.versions.live(siteId))?.id;
    if (!leftId) throw noLivePlan();
    const left = await this.versions.find(siteId, leftId);
    if (!left) throw notFound('schedule version', leftId);
    return comparePlans(await this.side(left), await this.side(right));
  }

  /** A rush insertion's impact on the live plan it was made against: which orders slip, by how much. */
  async impact(p: Principal, siteId: string, id: string): Promise<ImpactReport> {
    assertSiteAccess(p, siteId);
    const v = await this.versions.find(siteId, id);
    if (!v) throw notFound('schedule version', id);
    if (!v.rushWorkOrderId || !v.baselineId) {
      throw new DomainError(
        'conflict',
        PlanningErrorCode.NOT_A_RUSH_INSERT,
        `Schedule ${v.code} is not a rush insertion; compare it instead`,
      );
    }
    const baseline = await this.versions.find(siteId, v.baselineId);
    if (!baseline) throw notFound('schedule version', v.baselineId);
    return impactOf(comparePlans(await this.side(baseline), await this.side(v)), v.rushWorkOrderId);
  }

  private async side(v: ScheduleVersion): Promise<PlanSide> {
    const model = await this.versions.model(v.id);
    const spans = await this.versions.orderSpans(v.id);
    return {
      id: v.id,
      code: v.code,
      name: v.name,
      status: v.status,
      kpis: v.kpis,
      orders: model?.orders ?? {},
      ends: new Map([...spans].map(([id, s]) => [id, s.end])),
    };
  }
}

function noLivePlan(): DomainError {
  return new DomainError('not_found', PlanningErrorCode.NO_LIVE_PLAN, 'The site has no published plan yet');
}

/** The gaps between a machine's working windows inside [from, to). */
function offShift(
  model: PlanSnapshot | null,
  equipmentId: string,
  from: number,
  to: number,
): Array<{ start: string; end: string }> {
  const windows = model?.problem.machines.find((m) => m.id === equipmentId)?.available;
  if (!model || !windows) return [];
  const origin = Date.parse(model.origin);
  const gaps: Array<{ start: string; end: string }> = [];
  let cursor = from;
  for (const [s, e] of windows) {
    const ws = instantOf(origin, s).getTime();
    const we = instantOf(origin, e).getTime();
    if (we <= from) continue;
    if (ws >= to) break;
    if (ws > cursor) gaps.push({ start: new Date(cursor).toISOString(), end: new Date(ws).toISOString() });
    cursor = Math.max(cursor, we);
  }
  if (cursor < to) gaps.push({ start: new Date(cursor).toISOString(), end: new Date(to).toISOString() });
  return gaps;
}
