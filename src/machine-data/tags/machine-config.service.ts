import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError, invalidFields, notFound, type FieldError } from '../../platform/errors/domain-error';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import {
  MACHINE_STATES,
  MachineConfig,
  MachineTag,
  type CountMode,
  type TagRole,
} from '../machine-data.entities';
import { MachineDataErrorCode } from '../machine-data.errors';
import type { PutMachineDto, TagMappingDto } from './machine-config.dto';
import { TagRegistry } from './tag-registry';

const PLAIN_SOURCE = /^mom\/[^/+#]+\/[^/+#]+\/[^/+#]+\/(state|count|param)$/;
const SPARKPLUG_SOURCE = /^spBv1\.0\/[^/+#]+\/[^/+#]+(\/[^/+#]+)?$/;
const SINGLE_ROLES: readonly TagRole[] = ['state', 'good_count', 'scrap_count', 'cycle_time'];

export interface TagView {
  id: string;
  source: string;
  metric: string;
  role: TagRole;
  parameterName: string | null;
  unit: string | null;
  min: number | null;
  max: number | null;
  stateMap: Record<string, string> | null;
  last: { value: number | null; text: string | null; at: string } | null;
  /** Parameters: outside their limits since then. */
  alarmSince: string | null;
}

export interface MachineView {
  equipmentId: string;
  equipmentCode: string;
  equipmentName: string;
  siteId: string;
  countMode: CountMode;
  tolerancePct: number;
  toleranceQty: number;
  scrapReasonCode: string | null;
  version: number;
  state: string | null;
  stateSince: string | null;
  connection: 'online' | 'offline' | 'unknown' | null;
  connectionSince: string | null;
  lastSeenAt: string | null;
  tags: TagView[];
}

export interface OperationCountView {
  operationId: string;
  workOrderCode: string;
  seq: number;
  status: string;
  machineGoodQty: string;
  machineScrapQty: string;
  reportedGoodQty: string;
  reportedScrapQty: string;
  /** What the machine itself reported (authority mode). */
  machineReportedGoodQty: string;
  machineReportedScrapQty: string;
  lastCountAt: string;
  discrepancyAt: string | null;
}

/** The tag mapping of each machine, audited, and what machine data knows of it. */
@Injectable()
export class MachineConfigService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly masterData: MasterDataFacade,
    private readonly registry: TagRegistry,
  ) {}

  async list(p: Principal, siteId: string): Promise<MachineView[]> {
    assertSiteAccess(p, siteId);
    const ids = await this.dataSource.query<Array<{ equipment_id: string }>>(
      `SELECT c.equipment_id FROM machine_config c JOIN equipment e ON e.id = c.equipment_id
        WHERE c.site_id = $1 ORDER BY e.code`,
      [siteId],
    );
    return this.views(
      this.dataSource.manager,
      ids.map((r) => r.equipment_id),
    );
  }

  async get(p: Principal, siteId: string, equipment: string): Promise<MachineView> {
    assertSiteAccess(p, siteId);
    const eq = await this.masterData.equipment(siteId, equipment);
    if (!eq) throw notFound('equipment', equipment);
    const [view] = await this.views(this.dataSource.manager, [eq.id]);
    if (!view) throw notFound('machine data configuration', eq.code);
    return view;
  }

  /**
   * Sets a machine's mapping as a whole: tags matched by source and metric keep their id and values; tags left
   * out are removed with their values. Audited with before and after.
   */
  put(p: Principal, siteId: string, equipment: string, dto: PutMachineDto): Promise<MachineView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const eq = await this.masterData.equipment(siteId, equipment, m);
      if (!eq) throw notFound('equipment', equipment);
      const before = await m
        .getRepository(MachineConfig)
        .findOne({ where: { equipmentId: eq.id }, lock: { mode: 'pessimistic_write' } });
      if (before && dto.expectedVersion !== undefined && dto.expectedVersion !== before.version) {
        throw new DomainError(
          'conflict',
          MachineDataErrorCode.STALE_VERSION,
          `The mapping of ${eq.code} changed meanwhile (version ${before.version}); reload it`,
          { extensions: { currentVersion: before.version } },
        );
      }
      const problems = this.problems(dto);
      const countMode = dto.countMode ?? before?.countMode ?? 'cross_check';
      if (dto.scrapReasonCode) {
        const reason = await this.masterData.reasonCode(siteId, dto.scrapReasonCode, m);
        if (!reason || !reason.active || reason.category !== 'scrap')
          problems.push({
            field: 'scrapReasonCode',
            message: 'must be an active scrap reason code of the site',
          });
      } else if (countMode === 'authority' && dto.tags.some((t) => t.role === 'scrap_count')) {
        problems.push({
          field: 'scrapReasonCode',
          message: 'required: the machine reports scrap itself (authority) and needs a scrap reason for it',
        });
      }
      const taken = await m.query<Array<{ source: string; metric: string; code: string }>>(
        `SELECT t.source, t.metric, e.code FROM machine_tag t JOIN equipment e ON e.id = t.equipment_id
          WHERE t.equipment_id <> $1 AND (t.source, t.metric) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        [eq.id, dto.tags.map((t) => t.source), dto.tags.map((t) => t.metric)],
      );
      for (const t of taken) {
        const i = dto.tags.findIndex((x) => x.source === t.source && x.metric === t.metric);
        problems.push({
          field: `tags[${i}]`,
          message: `${t.source} ${t.metric} is mapped to machine ${t.code} already`,
        });
      }
      if (problems.length > 0) throw invalidFields(problems);

      const beforeTags = await m
        .getRepository(MachineTag)
        .find({ where: { equipmentId: eq.id }, order: { source: 'ASC', metric: 'ASC' } });
      const repo = m.getRepository(MachineConfig);
      if (before) {
        await repo.update(
          { equipmentId: eq.id },
          {
            countMode,
            tolerancePct: String(dto.tolerancePct ?? before.tolerancePct),
            toleranceQty: String(dto.toleranceQty ?? before.toleranceQty),
            scrapReasonCode: dto.scrapReasonCode ?? null,
            updatedAt: new Date(),
            version: before.version + 1,
          },
        );
      } else {
        await repo.insert({
          equipmentId: eq.id,
          siteId,
          countMode,
          tolerancePct: String(dto.tolerancePct ?? 0),
          toleranceQty: String(dto.toleranceQty ?? 0),
          scrapReasonCode: dto.scrapReasonCode ?? null,
        });
      }
      const keep = new Set(dto.tags.map((t) => `${t.source}\u0000${t.metric}`));
      const gone = beforeTags.filter((t) => !keep.has(`${t.source}\u0000${t.metric}`)).map((t) => t.id);
      if (gone.length > 0) await m.query(`DELETE FROM machine_tag WHERE id = ANY($1::uuid[])`, [gone]);
      // Two steps so roles can move between tags: the kept tags first step aside, then take their roles.
      const kept = beforeTags.filter((b) => keep.has(`${b.source}\u0000${b.metric}`));
      for (const b of kept) {
        await m.query(`UPDATE machine_tag SET role = 'parameter', parameter_name = $2 WHERE id = $1`, [
          b.id,
          `~${b.id}`,
        ]);
      }
      for (const t of dto.tags) {
        const existing = kept.find((b) => b.source === t.source && b.metric === t.metric);
        const row = {
          role: t.role,
          parameterName: t.role === 'parameter' ? t.parameterName!.trim() : null,
          unit: t.unit ?? null,
          minValue: t.min === undefined ? null : String(t.min),
          maxValue: t.max === undefined ? null : String(t.max),
          stateMap: t.role === 'state' ? (t.stateMap ?? null) : null,
        };
        if (existing) await m.getRepository(MachineTag).update({ id: existing.id }, row);
        else
          await m
            .getRepository(MachineTag)
            .insert({ siteId, equipmentId: eq.id, source: t.source, metric: t.metric, ...row });
      }
      await m.query(
        `DELETE FROM machine_unknown_tag WHERE (source, metric) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [dto.tags.map((t) => t.source), dto.tags.map((t) => t.metric)],
      );
      const [after] = await this.views(m, [eq.id]);
      await this.audit.record(tx, {
        entityType: 'machine_config',
        entityId: eq.id,
        siteId,
        action: before ? 'machine_data.mapping_changed' : 'machine_data.mapping_created',
        before: before ? { ...before, tags: beforeTags.map(auditTag) } : null,
        after: { ...after, tags: after!.tags.map(auditTag) },
      });
      tx.onCommit(() => this.registry.reload());
      return after!;
    });
  }

  /** Removes a machine's mapping, its tags and their stored values. */
  remove(p: Principal, siteId: string, equipment: string): Promise<void> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const eq = await this.masterData.equipment(siteId, equipment, tx.manager);
      if (!eq) throw notFound('equipment', equipment);
      const before = await tx.manager.getRepository(MachineConfig).findOneBy({ equipmentId: eq.id });
      if (!before) throw notFound('machine data configuration', eq.code);
      const tags = await tx.manager.getRepository(MachineTag).findBy({ equipmentId: eq.id });
      await tx.manager.delete(MachineConfig, { equipmentId: eq.id });
      await this.audit.record(tx, {
        entityType: 'machine_config',
        entityId: eq.id,
        siteId,
        action: 'machine_data.mapping_removed',
        before: { ...before, tags: tags.map(auditTag) },
      });
      tx.onCommit(() => this.registry.reload());
    });
  }

  /** What the machine counted per operation next to what was reported (newest first). */
  async counts(p: Principal, siteId: string, equipment: string, limit = 50): Promise<OperationCountView[]> {
    assertSiteAccess(p, siteId);
    const eq = await this.masterData.equipment(siteId, equipment);
    if (!eq) throw notFound('equipment', equipment);
    const rows = await this.dataSource.query<
      Array<{
        operation_id: string;
        wo_code: string;
        seq: number;
        status: string;
        good: string;
        scrap: string;
        op_good: string;
        op_scrap: string;
        rep_good: string;
        rep_scrap: string;
        last_count_at: Date;
        discrepancy_at: Date | null;
      }>
    >(
      `SELECT c.operation_id, w.code AS wo_code, o.seq, o.status, trim_scale(c.good_qty)::text AS good,
              trim_scale(c.scrap_qty)::text AS scrap, trim_scale(o.good_qty)::text AS op_good,
              trim_scale(o.scrap_qty)::text AS op_scrap, trim_scale(c.reported_good_qty)::text AS rep_good,
              trim_scale(c.reported_scrap_qty)::text AS rep_scrap, c.last_count_at, c.discrepancy_at
         FROM machine_operation_count c
         JOIN work_order_operation o ON o.id = c.operation_id JOIN work_order w ON w.id = o.work_order_id
        WHERE c.equipment_id = $1 ORDER BY c.last_count_at DESC LIMIT $2`,
      [eq.id, limit],
    );
    return rows.map((r) => ({
      operationId: r.operation_id,
      workOrderCode: r.wo_code,
      seq: r.seq,
      status: r.status,
      machineGoodQty: r.good,
      machineScrapQty: r.scrap,
      reportedGoodQty: r.op_good,
      reportedScrapQty: r.op_scrap,
      machineReportedGoodQty: r.rep_good,
      machineReportedScrapQty: r.rep_scrap,
      lastCountAt: r.last_count_at.toISOString(),
      discrepancyAt: r.discrepancy_at?.toISOString() ?? null,
    }));
  }

  private problems(dto: PutMachineDto): FieldError[] {
    const out: FieldError[] = [];
    const seen = new Map<string, number>();
    const roles = new Map<string, number>();
    const params = new Map<string, number>();
    dto.tags.forEach((t: TagMappingDto, i) => {
      const f = `tags[${i}]`;
      if (!PLAIN_SOURCE.test(t.source) && !SPARKPLUG_SOURCE.test(t.source)) {
        out.push({
          field: `${f}.source`,
          message:
            'must be mom/{site}/{line}/{equipment}/{state|count|param} or spBv1.0/{group}/{edge}[/{device}]',
        });
      }
      const key = `${t.source}\u0000${t.metric}`;
      if (seen.has(key))
        out.push({ field: `${f}.metric`, message: `same source and metric as tags[${seen.get(key)}]` });
      seen.set(key, i);
      if (SINGLE_ROLES.includes(t.role)) {
        if (roles.has(t.role))
          out.push({
            field: `${f}.role`,
            message: `a machine has one ${t.role} tag (tags[${roles.get(t.role)}] is)`,
          });
        roles.set(t.role, i);
      }
      if (t.role === 'parameter') {
        if (!t.parameterName?.trim())
          out.push({ field: `${f}.parameterName`, message: 'required for a parameter' });
        else {
          const name = t.parameterName.trim().toLowerCase();
          if (params.has(name))
            out.push({
              field: `${f}.parameterName`,
              message: `tags[${params.get(name)}] measures it already`,
            });
          params.set(name, i);
        }
      } else if (t.parameterName !== undefined) {
        out.push({ field: `${f}.parameterName`, message: 'only a parameter names a routing parameter' });
      }
      if (t.min !== undefined && t.max !== undefined && t.min > t.max)
        out.push({ field: `${f}.min`, message: 'must not exceed max' });
      if ((t.min !== undefined || t.max !== undefined) && t.role !== 'parameter' && t.role !== 'cycle_time') {
        out.push({ field: `${f}.min`, message: 'limits apply to parameters and cycle time' });
      }
      if (t.stateMap !== undefined) {
        if (t.role !== 'state')
          out.push({ field: `${f}.stateMap`, message: 'only a state tag has a state map' });
        else {
          const entries = Object.entries(t.stateMap);
          if (entries.length > 200) out.push({ field: `${f}.stateMap`, message: 'at most 200 codes' });
          for (const [code, state] of entries) {
            if (code.length > 100 || !(MACHINE_STATES as readonly string[]).includes(state)) {
              out.push({
                field: `${f}.stateMap.${code.slice(0, 100)}`,
                message: `must be one of ${MACHINE_STATES.join(', ')}`,
              });
            }
          }
        }
      }
    });
    return out;
  }

  private async views(m: EntityManager, equipmentIds: string[]): Promise<MachineView[]> {
    if (equipmentIds.length === 0) return [];
    const machines = await m.query<
      Array<{
        equipment_id: string;
        code: string;
        name: string;
        site_id: string;
        count_mode: CountMode;
        tolerance_pct: string;
        tolerance_qty: string;
        scrap_reason_code: string | null;
        version: number;
        state: string | null;
        state_since: Date | null;
        connection: 'online' | 'offline' | 'unknown' | null;
        connection_since: Date | null;
        last_seen_at: Date | null;
      }>
    >(
      `SELECT c.equipment_id, e.code, e.name, c.site_id, c.count_mode, c.tolerance_pct::text, c.tolerance_qty::text,
              c.scrap_reason_code, c.version, l.state, l.state_since, l.connection, l.connection_since, l.last_seen_at
         FROM machine_config c JOIN equipment e ON e.id = c.equipment_id
         LEFT JOIN machine_live_state l ON l.equipment_id = c.equipment_id
        WHERE c.equipment_id = ANY($1::uuid[]) ORDER BY e.code`,
      [equipmentIds],
    );
    const tags = await m.query<
      Array<{
        id: string;
        equipment_id: string;
        source: string;
        metric: string;
        role: TagRole;
        parameter_name: string | null;
        unit: string | null;
        min_value: string | null;
        max_value: string | null;
        state_map: Record<string, string> | null;
        last_ts: Date | null;
        last_value: number | null;
        last_text: string | null;
        alarm_since: Date | null;
      }>
    >(
      `SELECT t.id, t.equipment_id, t.source, t.metric, t.role, t.parameter_name, t.unit, t.min_value::text,
              t.max_value::text, t.state_map, s.last_ts, s.last_value, s.last_text, s.alarm_since
         FROM machine_tag t LEFT JOIN machine_tag_state s ON s.tag_id = t.id
        WHERE t.equipment_id = ANY($1::uuid[]) ORDER BY t.role, t.source, t.metric`,
      [equipmentIds],
    );
    return machines.map((r) => ({
      equipmentId: r.equipment_id,
      equipmentCode: r.code,
      equipmentName: r.name,
      siteId: r.site_id,
      countMode: r.count_mode,
      tolerancePct: Number(r.tolerance_pct),
      toleranceQty: Number(r.tolerance_qty),
      scrapReasonCode: r.scrap_reason_code,
      version: r.version,
      state: r.state,
      stateSince: r.state_since?.toISOString() ?? null,
      connection: r.connection,
      connectionSince: r.connection_since?.toISOString() ?? null,
      lastSeenAt: r.last_seen_at?.toISOString() ?? null,
      tags: tags
        .filter((t) => t.equipment_id === r.equipment_id)
        .map((t) => ({
          id: t.id,
          source: t.source,
          metric: t.metric,
          role: t.role,
          parameterName: t.parameter_name,
          unit: t.unit,
          min: t.min_value === null ? null : Number(t.min_value),
          max: t.max_value === null ? null : Number(t.max_value),
          stateMap: t.state_map,
          last: t.last_ts ? { value: t.last_value, text: t.last_text, at: t.last_ts.toISOString() } : null,
          alarmSince: t.alarm_since?.toISOString() ?? null,
        })),
    }));
  }
}

function auditTag(t: {
  source: string;
  metric: string;
  role: string;
  parameterName: string | null;
  unit: string | null;
}) {
  return { source: t.source, metric: t.metric, role: t.role, parameterName: t.parameterName, unit: t.unit };
}
