import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { MasterDataFacade, type Material } from '../../master-data/master-data.facade';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { pgErrorCode } from '../../platform/database/pg-error';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, isZero, parseDecimal } from '../../platform/engine/decimal';
import { localDate } from '../../platform/engine/local-date';
import {
  DomainError,
  notFound,
  PlatformErrorCode,
  type FieldError,
} from '../../platform/errors/domain-error';
import type { Page } from '../../platform/http/pagination';
import { Site } from '../../platform/sites/site.entity';
import type { ChartType } from '../spc/engine/charts';
import { QualityErrorCode } from '../quality.errors';
import type {
  CharacteristicChangeDto,
  CharacteristicDto,
  CreateInspectionPlanDto,
  InspectionPlanQueryDto,
  UpdateInspectionPlanDto,
} from './inspection-plan.dto';
import {
  InspectionCharacteristic,
  InspectionPlan,
  type AttributeType,
  type CharacteristicKind,
  type InspectionFrequency,
  type InspectionType,
  type RuleSet,
} from './inspection-plan.entity';

export interface CharacteristicView {
  id: string;
  seq: number;
  code: string;
  name: string;
  nameZh: string | null;
  kind: CharacteristicKind;
  attributeType: AttributeType | null;
  unit: string | null;
  lsl: string | null;
  usl: string | null;
  target: string | null;
  defectCodes: string[];
  chart: ChartType | null;
  ruleSet: RuleSet;
  nSigma: number;
  violationOpensNcr: boolean;
  violationHoldsWorkOrder: boolean;
  violationHoldsLots: boolean;
  limitsVersion: number | null;
  active: boolean;
}

export interface InspectionPlanView {
  id: string;
  code: string;
  name: string;
  nameZh: string | null;
  type: InspectionType;
  material: { id: string; code: string; name: string; nameZh: string | null };
  operationSeq: number | null;
  frequency: InspectionFrequency;
  frequencyQty: string | null;
  frequencyMinutes: number | null;
  sampleSize: number;
  active: boolean;
  notes: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  characteristics: CharacteristicView[];
}

/** What creating an IQC/OQC plan did to its material (new lots start in quarantine), said out loud. */
export interface CreatedPlanView extends InspectionPlanView {
  materialInspection: { required: boolean; changed: boolean; message: string } | null;
}

/** A characteristic as it will be stored: what validation looks at. */
interface CharacteristicState {
  code: string;
  name: string;
  nameZh: string | null;
  kind: CharacteristicKind;
  attributeType: AttributeType | null;
  unit: string | null;
  lsl: string | null;
  usl: string | null;
  target: string | null;
  defectCodes: string[];
  chart: ChartType | null;
  ruleSet: RuleSet;
  nSigma: string;
  violationOpensNcr: boolean;
  violationHoldsWorkOrder: boolean;
  violationHoldsLots: boolean;
  active: boolean;
}

const VARIABLE_CHARTS: readonly ChartType[] = ['xbar-r', 'xbar-s', 'imr'];
const PASS_FAIL_CHARTS: readonly ChartType[] = ['p', 'np'];
const DEFECT_CHARTS: readonly ChartType[] = ['c', 'u'];

/** A stored decimal as people write it ("39.975000" → "39.975"). */
export const plainDecimal = (v: string | null): string | null =>
  v === null ? null : formatExact(parseDecimal(v));

export function characteristicView(c: InspectionCharacteristic): CharacteristicView {
  return {
    id: c.id,
    seq: c.seq,
    code: c.code,
    name: c.name,
    nameZh: c.nameZh,
    kind: c.kind,
    attributeType: c.attributeType,
    unit: c.unit,
    lsl: plainDecimal(c.lsl),
    usl: plainDecimal(c.usl),
    target: plainDecimal(c.target),
    defectCodes: c.defectCodes,
    chart: c.chart,
    ruleSet: c.ruleSet,
    nSigma: Number(c.nSigma),
    violationOpensNcr: c.violationOpensNcr,
    violationHoldsWorkOrder: c.violationHoldsWorkOrder,
    violationHoldsLots: c.violationHoldsLots,
    limitsVersion: c.limitsVersion,
    active: c.active,
  };
}

/**
 * Inspection plans (检验计划): what is checked on a material, when, and on how many samples. IQC and OQC plans
 * mark their material as inspected on arrival, so its new lots start in quarantine until an inspection passes.
 */
@Injectable()
export class InspectionPlansService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly masterData: MasterDataFacade,
    private readonly audit: AuditService,
  ) {}

  create(p: Principal, siteId: string, dto: CreateInspectionPlanDto): Promise<CreatedPlanView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const material = await this.masterData.material(siteId, dto.material, m);
      const errors: FieldError[] = [];
      if (!material) {
        errors.push({ field: 'material', message: `material ${dto.material} does not exist at this site` });
      }
      const frequency = dto.frequency ?? (dto.type === 'ipqc' ? undefined : 'lot');
      errors.push(...(await this.frequencyErrors(m, siteId, dto, frequency, material)));
      const states = dto.characteristics.map((c) => newCharacteristicState(c));
      const seen = new Map<string, number>();
      for (const [i, c] of states.entries()) {
        const path = `characteristics[${i}]`;
        const first = seen.get(c.code.toUpperCase());
        if (first !== undefined) {
          errors.push({
            field: `${path}.code`,
            message: `${c.code} is already used by characteristics[${first}]`,
          });
        } else seen.set(c.code.toUpperCase(), i);
        errors.push(...characteristicErrors(c, path, dto.sampleSize));
        errors.push(...(await this.defectCodeErrors(m, siteId, c.defectCodes, path)));
      }
      if (errors.length > 0 || !material || !frequency) {
        throw new DomainError(
          'validation',
          PlatformErrorCode.VALIDATION_FAILED,
          `The inspection plan has ${errors.length} invalid field(s)`,
          { errors },
        );
      }
      if (await m.getRepository(InspectionPlan).existsBy({ siteId, code: dto.code }))
        throw codeTaken(dto.code);

      let plan: InspectionPlan;
      try {
        plan = await m.getRepository(InspectionPlan).save(
          m.getRepository(InspectionPlan).create({
            siteId,
            code: dto.code,
            name: dto.name,
            nameZh: dto.nameZh ?? null,
            type: dto.type,
            materialId: material.id,
            operationSeq: dto.type === 'ipqc' ? (dto.operationSeq ?? null) : null,
            frequency,
            frequencyQty: frequency === 'count' ? (dto.frequencyQty ?? null) : null,
            frequencyMinutes: frequency === 'time' ? (dto.frequencyMinutes ?? null) : null,
            sampleSize: dto.sampleSize,
            active: true,
            notes: dto.notes ?? null,
          }),
        );
      } catch (err) {
        if (pgErrorCode(err) === '23505') throw codeTaken(dto.code);
        throw err;
      }
      for (const [i, c] of states.entries()) {
        await m.insert(InspectionCharacteristic, { ...c, planId: plan.id, siteId, seq: (i + 1) * 10 });
      }
      const materialInspection = await this.requireInspection(tx, plan, material);
      const view = await this.viewIn(m, plan.id);
      await this.audit.record(tx, {
        entityType: 'inspection_plan',
        entityId: plan.id,
        siteId,
        action: 'inspection_plan.created',
        after: { ...view, materialInspection },
        reason: materialInspection?.message,
      });
      return { ...view, materialInspection };
    });
  }

  update(
    p: Principal,
    siteId: string,
    id: string,
    dto: UpdateInspectionPlanDto,
  ): Promise<InspectionPlanView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const plan = await m
        .getRepository(InspectionPlan)
        .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
      if (!plan) throw notFound('inspection plan', id);
      if (plan.version !== dto.expectedVersion) {
        throw new DomainError(
          'conflict',
          QualityErrorCode.STALE_VERSION,
          `Inspection plan ${plan.code} was changed by someone else (version ${plan.version}); reload and try again`,
          { extensions: { currentVersion: plan.version } },
        );
      }
      const before = await this.viewIn(m, plan.id);
      const existing = await m
        .getRepository(InspectionCharacteristic)
        .find({ where: { planId: plan.id }, order: { seq: 'ASC' } });
      const errors: FieldError[] = [];
      if (dto.frequencyQty !== undefined && plan.frequency !== 'count') {
        errors.push({
          field: 'frequencyQty',
          message: `only for plans due by count (this one is ${plan.frequency})`,
        });
      }
      if (dto.frequencyQty !== undefined && isZero(parseDecimal(dto.frequencyQty))) {
        errors.push({ field: 'frequencyQty', message: 'frequencyQty must be greater than 0' });
      }
      if (dto.frequencyMinutes !== undefined && plan.frequency !== 'time') {
        errors.push({
          field: 'frequencyMinutes',
          message: `only for plans due by time (this one is ${plan.frequency})`,
        });
      }
      const sampleSize = dto.sampleSize ?? plan.sampleSize;
      const changes = dto.characteristics ?? [];
      const changed = new Map<string, CharacteristicState>();
      const added: CharacteristicState[] = [];
      const seen = new Map<string, number>();
      for (const [i, change] of changes.entries()) {
        const path = `characteristics[${i}]`;
        const key = change.code.toUpperCase();
        const first = seen.get(key);
        if (first !== undefined) {
          errors.push({
            field: `${path}.code`,
            message: `${change.code} is already changed by characteristics[${first}]`,
          });
          continue;
        }
        seen.set(key, i);
        const current = existing.find((c) => c.code.toUpperCase() === key);
        if (current) {
          if (change.kind !== undefined && change.kind !== current.kind) {
            errors.push({
              field: `${path}.kind`,
              message: `cannot change (${current.code} is ${current.kind}); add a new characteristic instead`,
            });
          }
          if (change.attributeType !== undefined && change.attributeType !== current.attributeType) {
            errors.push({
              field: `${path}.attributeType`,
              message: `cannot change (${current.code} is ${current.attributeType ?? 'variable'}); add a new characteristic instead`,
            });
          }
          const state = changedCharacteristicState(current, change);
          errors.push(...characteristicErrors(state, path, sampleSize));
          errors.push(...(await this.defectCodeErrors(m, siteId, change.defectCodes ?? [], path)));
          changed.set(current.id, state);
        } else {
          if (change.name === undefined)
            errors.push({ field: `${path}.name`, message: 'name is required for a new characteristic' });
          if (change.kind === undefined)
            errors.push({ field: `${path}.kind`, message: 'kind is required for a new characteristic' });
          if (change.name === undefined || change.kind === undefined) continue;
          const state = newCharacteristicState({ ...change, name: change.name, kind: change.kind });
          state.active = change.active ?? true;
          errors.push(...characteristicErrors(state, path, sampleSize));
          errors.push(...(await this.defectCodeErrors(m, siteId, state.defectCodes, path)));
          added.push(state);
        }
      }
      if (dto.sampleSize !== undefined && dto.sampleSize < 2) {
        const subgrouped = existing.filter(
          (c) => !changed.has(c.id) && (c.chart === 'xbar-r' || c.chart === 'xbar-s'),
        );
        if (subgrouped.length > 0) {
          errors.push({
            field: 'sampleSize',
            message: `${subgrouped.map((c) => c.code).join(', ')} ${subgrouped.length > 1 ? 'are' : 'is'} charted in subgroups (${subgrouped[0]!.chart}), which need 2 or more samples`,
          });
        }
      }
      if (errors.length > 0) {
        throw new DomainError(
          'validation',
          PlatformErrorCode.VALIDATION_FAILED,
          `The change has ${errors.length} invalid field(s)`,
          { errors },
        );
      }

      const planPatch: Partial<InspectionPlan> = {};
      if (dto.name !== undefined) planPatch.name = dto.name;
      if (dto.nameZh !== undefined) planPatch.nameZh = dto.nameZh;
      if (dto.sampleSize !== undefined) planPatch.sampleSize = dto.sampleSize;
      if (dto.frequencyQty !== undefined) planPatch.frequencyQty = dto.frequencyQty;
      if (dto.frequencyMinutes !== undefined) planPatch.frequencyMinutes = dto.frequencyMinutes;
      if (dto.notes !== undefined) planPatch.notes = dto.notes;
      if (dto.active !== undefined) planPatch.active = dto.active;
      await m.update(InspectionPlan, { id: plan.id }, { ...planPatch, version: plan.version + 1 });
      for (const c of existing) {
        const state = changed.get(c.id);
        if (!state) continue;
        // Limits frozen for another chart (or sigma) no longer fit: the chart starts provisional again.
        const chartChanged =
          state.chart !== c.chart || compare(parseDecimal(state.nSigma), parseDecimal(c.nSigma)) !== 0;
        await m.update(
          InspectionCharacteristic,
          { id: c.id },
          { ...state, limitsVersion: chartChanged ? null : c.limitsVersion, version: c.version + 1 },
        );
      }
      let seq = existing.reduce((max, c) => Math.max(max, c.seq), 0);
      for (const state of added) {
        seq += 10;
        await m.insert(InspectionCharacteristic, { ...state, planId: plan.id, siteId, seq });
      }
      const reactivated = dto.active === true && !plan.active;
      const material = reactivated ? await this.masterData.material(siteId, plan.materialId, m) : undefined;
      const materialInspection = material ? await this.requireInspection(tx, plan, material) : null;
      const after = await this.viewIn(m, plan.id);
      await this.audit.record(tx, {
        entityType: 'inspection_plan',
        entityId: plan.id,
        siteId,
        action: 'inspection_plan.updated',
        before,
        after: { ...after, materialInspection },
        reason: materialInspection?.message,
      });
      return after;
    });
  }

  async get(p: Principal, siteId: string, id: string): Promise<InspectionPlanView> {
    assertSiteAccess(p, siteId);
    const plan = await this.dataSource.getRepository(InspectionPlan).findOneBy({ id, siteId });
    if (!plan) throw notFound('inspection plan', id);
    return this.viewIn(this.dataSource.manager, plan.id);
  }

  async list(p: Principal, siteId: string, q: InspectionPlanQueryDto): Promise<Page<InspectionPlanView>> {
    assertSiteAccess(p, siteId);
    const m = this.dataSource.manager;
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const qb = m
      .getRepository(InspectionPlan)
      .createQueryBuilder('p')
      .where('p.siteId = :siteId', { siteId })
      .orderBy('p.code', 'ASC')
      .take(limit)
      .skip(offset);
    if (q.type) qb.andWhere('p.type = :type', { type: q.type });
    if (q.active) qb.andWhere('p.active = :active', { active: q.active === 'true' });
    if (q.material) {
      const material = await this.masterData.material(siteId, q.material, m);
      if (!material) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The query is invalid', {
          errors: [{ field: 'material', message: `material ${q.material} does not exist at this site` }],
        });
      }
      qb.andWhere('p.materialId = :materialId', { materialId: material.id });
    }
    const [plans, total] = await qb.getManyAndCount();
    return { items: await this.viewsOf(m, plans), total, limit, offset };
  }

  /** The active plans of a type that cover a material at a site (IPQC: only those of the operation seq). */
  activePlans(
    manager: EntityManager,
    siteId: string,
    materialId: string,
    type: InspectionType,
    operationSeq?: number,
  ): Promise<InspectionPlan[]> {
    return manager.getRepository(InspectionPlan).find({
      where: {
        siteId,
        materialId,
        type,
        active: true,
        ...(operationSeq !== undefined ? { operationSeq } : {}),
      },
      order: { code: 'ASC' },
    });
  }

  async viewIn(manager: EntityManager, planId: string): Promise<InspectionPlanView> {
    const plan = await manager.getRepository(InspectionPlan).findOneByOrFail({ id: planId });
    return (await this.viewsOf(manager, [plan]))[0]!;
  }

  private async viewsOf(manager: EntityManager, plans: InspectionPlan[]): Promise<InspectionPlanView[]> {
    if (plans.length === 0) return [];
    const characteristics = await manager
      .getRepository(InspectionCharacteristic)
      .find({ where: { planId: In(plans.map((p) => p.id)) }, order: { seq: 'ASC' } });
    const materials = new Map<string, Material>();
    for (const id of new Set(plans.map((p) => p.materialId))) {
      const material = await this.masterData.material(plans[0]!.siteId, id, manager);
      if (material) materials.set(id, material);
    }
    return plans.map((plan) => {
      const material = materials.get(plan.materialId);
      return {
        id: plan.id,
        code: plan.code,
        name: plan.name,
        nameZh: plan.nameZh,
        type: plan.type,
        material: {
          id: plan.materialId,
          code: material?.code ?? '',
          name: material?.name ?? '',
          nameZh: material?.nameZh ?? null,
        },
        operationSeq: plan.operationSeq,
        frequency: plan.frequency,
        frequencyQty: plainDecimal(plan.frequencyQty),
        frequencyMinutes: plan.frequencyMinutes,
        sampleSize: plan.sampleSize,
        active: plan.active,
        notes: plan.notes,
        version: plan.version,
        createdAt: plan.createdAt,
        updatedAt: plan.updatedAt,
        characteristics: characteristics.filter((c) => c.planId === plan.id).map(characteristicView),
      };
    });
  }

  /** IQC/OQC: the material's new lots start in quarantine from now on (audited by master data when it changes). */
  private async requireInspection(
    tx: Tx,
    plan: InspectionPlan,
    material: Material,
  ): Promise<CreatedPlanView['materialInspection']> {
    if (plan.type === 'ipqc') return null;
    // Asked only when not marked yet: the facade's answer does not tell an unchanged material apart.
    const changed =
      !material.inspectionRequired &&
      (await this.masterData.requireInspection(
        tx,
        plan.siteId,
        material.id,
        `${plan.type.toUpperCase()} plan ${plan.code} covers ${material.code}`,
      ));
    return {
      required: true,
      changed,
      message: changed
        ? `${material.code} now requires inspection: its new lots start in quarantine (待检) until a ${plan.type.toUpperCase()} inspection passes`
        : `${material.code} already required inspection: its new lots start in quarantine (待检)`,
    };
  }

  private async frequencyErrors(
    m: EntityManager,
    siteId: string,
    dto: CreateInspectionPlanDto,
    frequency: InspectionFrequency | undefined,
    material: Material | undefined,
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    if (dto.type !== 'ipqc') {
      if (dto.operationSeq !== undefined)
        errors.push({ field: 'operationSeq', message: 'only IPQC plans belong to an operation' });
      if (frequency !== 'lot')
        errors.push({
          field: 'frequency',
          message: `${dto.type.toUpperCase()} plans are due per lot (frequency lot)`,
        });
      if (dto.frequencyQty !== undefined)
        errors.push({ field: 'frequencyQty', message: 'only for IPQC plans due by count' });
      if (dto.frequencyMinutes !== undefined)
        errors.push({ field: 'frequencyMinutes', message: 'only for IPQC plans due by time' });
      return errors;
    }
    if (frequency !== 'count' && frequency !== 'time') {
      errors.push({
        field: 'frequency',
        message:
          'an IPQC plan is due by count (every frequencyQty good units) or time (every frequencyMinutes)',
      });
    }
    if (frequency === 'count') {
      if (dto.frequencyQty === undefined)
        errors.push({ field: 'frequencyQty', message: 'frequencyQty is required for frequency count' });
      else if (isZero(parseDecimal(dto.frequencyQty)))
        errors.push({ field: 'frequencyQty', message: 'frequencyQty must be greater than 0' });
    } else if (dto.frequencyQty !== undefined) {
      errors.push({ field: 'frequencyQty', message: 'only for frequency count' });
    }
    if (frequency === 'time') {
      if (dto.frequencyMinutes === undefined)
        errors.push({
          field: 'frequencyMinutes',
          message: 'frequencyMinutes is required for frequency time',
        });
    } else if (dto.frequencyMinutes !== undefined) {
      errors.push({ field: 'frequencyMinutes', message: 'only for frequency time' });
    }
    if (dto.operationSeq === undefined) {
      errors.push({ field: 'operationSeq', message: 'operationSeq is required for an IPQC plan' });
    } else if (material) {
      const site = await m.getRepository(Site).findOneByOrFail({ id: siteId });
      const routing = await this.masterData.routingFor(
        siteId,
        material.id,
        localDate(site.timeZone, new Date()),
        undefined,
        m,
      );
      if (!routing) {
        errors.push({ field: 'operationSeq', message: `${material.code} has no routing valid today` });
      } else if (!routing.operations.some((o) => o.seq === dto.operationSeq)) {
        errors.push({
          field: 'operationSeq',
          message: `operation ${dto.operationSeq} is not in the routing of ${material.code} (revision ${routing.routing.revision}: ${routing.operations.map((o) => o.seq).join(', ')})`,
        });
      }
    }
    return errors;
  }

  private async defectCodeErrors(
    m: EntityManager,
    siteId: string,
    codes: string[],
    path: string,
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    for (const [j, code] of codes.entries()) {
      const reason = await this.masterData.reasonCode(siteId, code, m);
      const field = `${path}.defectCodes[${j}]`;
      if (!reason || reason.code !== code)
        errors.push({ field, message: `defect code ${code} does not exist at this site` });
      else if (reason.category !== 'defect')
        errors.push({ field, message: `${code} is a ${reason.category} reason, not a defect code` });
      else if (!reason.active) errors.push({ field, message: `defect code ${code} is inactive` });
    }
    return errors;
  }
}

function codeTaken(code: string): DomainError {
  return new DomainError(
    'conflict',
    PlatformErrorCode.ALREADY_EXISTS,
    `Inspection plan ${code} already exists`,
    {
      errors: [{ field: 'code', message: `inspection plan ${code} already exists at this site` }],
    },
  );
}

const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v);

function newCharacteristicState(c: CharacteristicDto): CharacteristicState {
  return {
    code: c.code,
    name: c.name,
    nameZh: orNull(c.nameZh),
    kind: c.kind,
    attributeType: orNull(c.attributeType),
    unit: orNull(c.unit),
    lsl: orNull(c.lsl),
    usl: orNull(c.usl),
    target: orNull(c.target),
    defectCodes: [...new Set(c.defectCodes ?? [])],
    chart: orNull(c.chart),
    ruleSet: c.ruleSet ?? 'nelson',
    nSigma: String(c.nSigma ?? 3),
    violationOpensNcr: c.violationOpensNcr ?? false,
    violationHoldsWorkOrder: c.violationHoldsWorkOrder ?? false,
    violationHoldsLots: c.violationHoldsLots ?? false,
    active: true,
  };
}

/** An existing characteristic with a change applied: a field given (null clears an optional one) replaces it. */
function changedCharacteristicState(
  c: InspectionCharacteristic,
  d: CharacteristicChangeDto,
): CharacteristicState {
  const pick = <T>(given: T | null | undefined, current: T | null): T | null =>
    given === undefined ? current : given;
  return {
    code: c.code,
    name: d.name ?? c.name,
    nameZh: pick(d.nameZh, c.nameZh),
    kind: c.kind,
    attributeType: c.attributeType,
    unit: pick(d.unit, c.unit),
    lsl: pick(d.lsl, c.lsl),
    usl: pick(d.usl, c.usl),
    target: pick(d.target, c.target),
    defectCodes: d.defectCodes ? [...new Set(d.defectCodes)] : c.defectCodes,
    chart: pick(d.chart, c.chart),
    ruleSet: d.ruleSet ?? c.ruleSet,
    nSigma: d.nSigma !== undefined && d.nSigma !== null ? String(d.nSigma) : c.nSigma,
    violationOpensNcr: d.violationOpensNcr ?? c.violationOpensNcr,
    violationHoldsWorkOrder: d.violationHoldsWorkOrder ?? c.violationHoldsWorkOrder,
    violationHoldsLots: d.violationHoldsLots ?? c.violationHoldsLots,
    active: d.active ?? c.active,
  };
}

/** What makes a characteristic inconsistent, field by field under `path` (e.g. `characteristics[1].usl`). */
function characteristicErrors(c: CharacteristicState, path: string, sampleSize: number): FieldError[] {
  const errors: FieldError[] = [];
  const at = (field: string, message: string): void => {
    errors.push({ field: `${path}.${field}`, message });
  };
  if (c.kind === 'variable') {
    if (c.attributeType !== null)
      at('attributeType', 'only an attribute characteristic has an attribute type');
    if (c.lsl === null && c.usl === null)
      at('lsl', 'a variable characteristic needs a spec limit (lsl, usl or both)');
    if (c.lsl !== null && c.usl !== null && compare(parseDecimal(c.lsl), parseDecimal(c.usl)) >= 0)
      at('usl', `usl must be greater than lsl (${c.lsl})`);
    if (c.target !== null) {
      const t = parseDecimal(c.target);
      if (
        (c.lsl !== null && compare(t, parseDecimal(c.lsl)) < 0) ||
        (c.usl !== null && compare(t, parseDecimal(c.usl)) > 0)
      )
        at('target', `target must lie within the spec limits [${c.lsl ?? '-∞'}, ${c.usl ?? '∞'}]`);
    }
    if (c.chart !== null && !VARIABLE_CHARTS.includes(c.chart))
      at('chart', `a variable characteristic is charted as xbar-r, xbar-s or imr, not ${c.chart}`);
    if ((c.chart === 'xbar-r' || c.chart === 'xbar-s') && sampleSize < 2)
      at('chart', `${c.chart} needs subgroups of 2 or more samples (sampleSize is ${sampleSize}); use imr`);
  } else {
    if (c.attributeType === null)
      at('attributeType', 'an attribute characteristic needs attributeType pass_fail or defect_count');
    for (const limit of ['lsl', 'usl', 'target'] as const) {
      if (c[limit] !== null) at(limit, 'spec limits apply to variable characteristics only');
    }
    if (c.chart !== null && c.attributeType === 'pass_fail' && !PASS_FAIL_CHARTS.includes(c.chart))
      at('chart', `a pass_fail attribute is charted as p or np, not ${c.chart}`);
    if (c.chart !== null && c.attributeType === 'defect_count' && !DEFECT_CHARTS.includes(c.chart))
      at('chart', `a defect_count attribute is charted as c or u, not ${c.chart}`);
  }
  if (c.chart === null) {
    for (const flag of ['violationOpensNcr', 'violationHoldsWorkOrder', 'violationHoldsLots'] as const) {
      if (c[flag]) at(flag, 'needs a chart: rule violations come from the control chart');
    }
  }
  return errors;
}
