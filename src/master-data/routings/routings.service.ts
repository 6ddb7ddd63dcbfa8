import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, type FieldError } from '../../platform/errors/domain-error';
import {
  assertCurrentVersion,
  listRevisions,
  loadRevision,
  nextRevision,
  overlapError,
  recordRevisionChange,
  validityError,
} from '../catalog/revisions';
import type { RevisionListQueryDto } from '../catalog/revision-list.dto';
import { Equipment } from '../hierarchy/equipment.entity';
import { WorkCenter } from '../hierarchy/work-center.entity';
import { MasterDataErrorCode } from '../master-data.errors';
import { Material } from '../materials/material.entity';
import type { CreateRoutingDto, RoutingOperationDto, UpdateRoutingDto } from './routing.dto';
import { Routing, RoutingOperation, RoutingOperationEquipment } from './routing.entity';

export interface RoutingView extends Omit<Routing, 'site' | 'material'> {
  materialCode: string;
  operations: Array<
    RoutingOperation & {
      workCenterCode: string;
      equipment: Array<RoutingOperationEquipment & { equipmentCode: string }>;
    }
  >;
}

const MAKEABLE = ['finished', 'semi_finished'];

/** Routings: revisions with validity dates; each operation at an active work center on its own machines. */
@Injectable()
export class RoutingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  list(p: Principal, siteId: string, f: RevisionListQueryDto) {
    assertSiteAccess(p, siteId);
    return listRevisions(this.dataSource.manager, Routing, siteId, f);
  }

  async get(p: Principal, siteId: string, id: string): Promise<RoutingView> {
    assertSiteAccess(p, siteId);
    return this.view(this.dataSource.manager, await this.load(this.dataSource.manager, siteId, id));
  }

  async create(p: Principal, siteId: string, dto: CreateRoutingDto): Promise<RoutingView> {
    assertSiteAccess(p, siteId);
    return this.tx.run((tx) => this.createIn(tx, siteId, dto));
  }

  /** Creates a revision inside the caller's transaction (the import runs many in one). */
  async createIn(tx: Tx, siteId: string, dto: CreateRoutingDto, action = 'created'): Promise<RoutingView> {
    await tx.manager.query('SELECT 1 FROM material WHERE id = $1 FOR UPDATE', [dto.materialId]);
    this.throwIfInvalid(
      await this.check(tx.manager, siteId, undefined, { ...dto, validTo: dto.validTo ?? null }),
    );
    const routing = await tx.manager.getRepository(Routing).save(
      tx.manager.create(Routing, {
        siteId,
        materialId: dto.materialId,
        revision: await nextRevision(tx.manager, 'routing', dto.materialId),
        validFrom: dto.validFrom,
        validTo: dto.validTo ?? null,
        description: dto.description ?? null,
      }),
    );
    await this.saveOperations(tx, routing.id, dto.operations);
    const view = await this.view(tx.manager, routing);
    await this.record(tx, view, action, undefined);
    return view;
  }

  async update(p: Principal, siteId: string, id: string, dto: UpdateRoutingDto): Promise<RoutingView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) =>
      this.updateIn(tx, siteId, await this.load(tx.manager, siteId, id, true), dto),
    );
  }

  /** Updates a revision inside the caller's transaction. */
  async updateIn(
    tx: Tx,
    siteId: string,
    existing: Routing,
    dto: UpdateRoutingDto,
    action = 'updated',
  ): Promise<RoutingView> {
    const id = existing.id;
    assertCurrentVersion(`Routing revision ${existing.revision}`, existing.version, dto.version);
    const before = await this.view(tx.manager, existing);
    const operations = dto.operations ?? before.operations.map(toOperationDto);
    this.throwIfInvalid(
      await this.check(tx.manager, siteId, existing, {
        materialId: existing.materialId,
        validFrom: dto.validFrom ?? existing.validFrom,
        validTo: dto.validTo !== undefined ? dto.validTo : existing.validTo,
        operations,
      }),
    );
    await tx.manager.query(
      `UPDATE routing SET valid_from = $2, valid_to = $3, description = $4, version = version + 1, updated_at = now() WHERE id = $1`,
      [
        id,
        dto.validFrom ?? existing.validFrom,
        dto.validTo !== undefined ? dto.validTo : existing.validTo,
        dto.description ?? existing.description,
      ],
    );
    if (dto.operations) {
      await tx.manager.delete(RoutingOperation, { routingId: id });
      await this.saveOperations(tx, id, dto.operations);
    }
    const after = await this.view(tx.manager, await this.load(tx.manager, siteId, id));
    await this.record(tx, after, action, before, dto.reason);
    return after;
  }

  async setActive(
    p: Principal,
    siteId: string,
    id: string,
    active: boolean,
    version: number,
    reason?: string,
  ): Promise<RoutingView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const existing = await this.load(tx.manager, siteId, id, true);
      assertCurrentVersion(`Routing revision ${existing.revision}`, existing.version, version);
      const before = await this.view(tx.manager, existing);
      if (existing.active === active) return before;
      if (active) {
        const overlap = await overlapError(
          tx.manager,
          'routing',
          existing.materialId,
          before.materialCode,
          existing.id,
          existing.validFrom,
          existing.validTo,
        );
        this.throwIfInvalid(overlap ? [overlap] : []);
      }
      await tx.manager.query(
        'UPDATE routing SET active = $2, version = version + 1, updated_at = now() WHERE id = $1',
        [id, active],
      );
      const after = await this.view(tx.manager, await this.load(tx.manager, siteId, id));
      await this.record(tx, after, active ? 'reactivated' : 'deactivated', before, reason);
      return after;
    });
  }

  private async check(
    manager: EntityManager,
    siteId: string,
    self: Routing | undefined,
    r: { materialId: string; validFrom: string; validTo: string | null; operations: RoutingOperationDto[] },
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const material = await manager.getRepository(Material).findOneBy({ id: r.materialId });
    if (!material || material.siteId !== siteId)
      return [{ field: 'materialId', message: `no material ${r.materialId} at this site` }];
    if (!material.active)
      errors.push({ field: 'materialId', message: `material ${material.code} is deactivated` });
    if (!MAKEABLE.includes(material.materialClass))
      errors.push({
        field: 'materialId',
        message: `${material.code} is ${material.materialClass}: only finished and semi-finished materials have a routing`,
      });
    const validity = validityError(r.validFrom, r.validTo);
    if (validity) errors.push(validity);
    const overlap = await overlapError(
      manager,
      'routing',
      r.materialId,
      material.code,
      self?.id,
      r.validFrom,
      r.validTo,
    );
    if (overlap) errors.push(overlap);

    const used = self
      ? await this.usedReferences(manager, self.id)
      : { workCenters: new Set<string>(), equipment: new Set<string>() };
    const wcs = new Map(
      (
        await manager.getRepository(WorkCenter).findBy({ id: In(r.operations.map((o) => o.workCenterId)) })
      ).map((w) => [w.id, w]),
    );
    const eqs = new Map(
      (
        await manager
          .getRepository(Equipment)
          .findBy({ id: In(r.operations.flatMap((o) => o.equipment.map((e) => e.equipmentId))) })
      ).map((e) => [e.id, e]),
    );
    const seqs = new Set<number>();
    r.operations.forEach((op, i) => {
      const f = (name: string) => `operations[${i}].${name}`;
      if (seqs.has(op.seq)) errors.push({ field: f('seq'), message: `sequence ${op.seq} is used twice` });
      seqs.add(op.seq);
      const wc = wcs.get(op.workCenterId);
      if (!wc || wc.siteId !== siteId)
        errors.push({ field: f('workCenterId'), message: `no work center ${op.workCenterId} at this site` });
      else if (!wc.active && !used.workCenters.has(wc.id))
        errors.push({ field: f('workCenterId'), message: `work center ${wc.code} is deactivated` });
      const machines = new Set<string>();
      op.equipment.forEach((e, j) => {
        const ef = (name: string) => `operations[${i}].equipment[${j}].${name}`;
        if (machines.has(e.equipmentId))
          errors.push({ field: ef('equipmentId'), message: 'listed twice for this operation' });
        machines.add(e.equipmentId);
        const eq = eqs.get(e.equipmentId);
        if (!eq || eq.siteId !== siteId)
          errors.push({ field: ef('equipmentId'), message: `no equipment ${e.equipmentId} at this site` });
        else if (!eq.active && !used.equipment.has(eq.id))
          errors.push({ field: ef('equipmentId'), message: `equipment ${eq.code} is deactivated` });
        else if (wc && eq.workCenterId !== wc.id)
          errors.push({ field: ef('equipmentId'), message: `${eq.code} is not in work center ${wc.code}` });
        if (/^0+(\.0+)?$/.test(e.runTimePerUnitSec))
          errors.push({
            field: ef('runTimePerUnitSec'),
            message: 'runTimePerUnitSec must be greater than 0',
          });
      });
      (op.parameters ?? []).forEach((param, k) => {
        if (param.min !== undefined && param.max !== undefined && param.min > param.max) {
          errors.push({
            field: `operations[${i}].parameters[${k}].max`,
            message: `max ${param.max} is below min ${param.min}`,
          });
        }
      });
    });
    return errors;
  }

  /** Deactivated work centers and machines may stay on a routing that already uses them. */
  private async usedReferences(manager: EntityManager, routingId: string) {
    const ops = await manager.getRepository(RoutingOperation).findBy({ routingId });
    const eqs = ops.length
      ? await manager
          .getRepository(RoutingOperationEquipment)
          .findBy({ operationId: In(ops.map((o) => o.id)) })
      : [];
    return {
      workCenters: new Set(ops.map((o) => o.workCenterId)),
      equipment: new Set(eqs.map((e) => e.equipmentId)),
    };
  }

  private throwIfInvalid(errors: FieldError[]): void {
    if (errors.length)
      throw new DomainError(
        'unprocessable',
        MasterDataErrorCode.INVALID_REFERENCE,
        'The routing cannot be saved as given',
        { errors },
      );
  }

  private async saveOperations(tx: Tx, routingId: string, operations: RoutingOperationDto[]): Promise<void> {
    for (const op of operations) {
      const saved = await tx.manager.getRepository(RoutingOperation).save(
        tx.manager.create(RoutingOperation, {
          routingId,
          seq: op.seq,
          name: op.name,
          nameZh: op.nameZh ?? null,
          workCenterId: op.workCenterId,
          minTransferQty: op.minTransferQty ?? null,
          instructions: op.instructions ?? null,
          attachments: op.attachments ?? [],
          parameters: op.parameters ?? [],
          inspectionPoint: op.inspectionPoint ?? false,
        }),
      );
      await tx.manager.insert(
        RoutingOperationEquipment,
        op.equipment.map((e) => ({
          operationId: saved.id,
          equipmentId: e.equipmentId,
          runTimePerUnitSec: e.runTimePerUnitSec,
          setupTimeSec: e.setupTimeSec ?? '0',
          setupFamily: e.setupFamily ?? null,
        })),
      );
    }
  }

  private load(manager: EntityManager, siteId: string, id: string, lock = false): Promise<Routing> {
    return loadRevision(manager, Routing, 'routing', siteId, id, lock);
  }

  private async view(manager: EntityManager, r: Routing): Promise<RoutingView> {
    const ops = await manager
      .getRepository(RoutingOperation)
      .find({ where: { routingId: r.id }, order: { seq: 'ASC' } });
    const eqs = ops.length
      ? await manager
          .getRepository(RoutingOperationEquipment)
          .findBy({ operationId: In(ops.map((o) => o.id)) })
      : [];
    const wcs = new Map(
      (await manager.getRepository(WorkCenter).findBy({ id: In(ops.map((o) => o.workCenterId)) })).map(
        (w) => [w.id, w.code],
      ),
    );
    const machines = new Map(
      (await manager.getRepository(Equipment).findBy({ id: In(eqs.map((e) => e.equipmentId)) })).map((e) => [
        e.id,
        e.code,
      ]),
    );
    const material = await manager.getRepository(Material).findOneBy({ id: r.materialId });
    const { site: _s, material: _m, ...header } = r;
    return {
      ...header,
      materialCode: material?.code ?? '',
      operations: ops.map((o) => ({
        ...o,
        workCenterCode: wcs.get(o.workCenterId) ?? '',
        equipment: eqs
          .filter((e) => e.operationId === o.id)
          .map((e) => ({ ...e, equipmentCode: machines.get(e.equipmentId) ?? '' }))
          .sort((a, b) => a.equipmentCode.localeCompare(b.equipmentCode)),
      })),
    };
  }

  private record(
    tx: Tx,
    view: RoutingView,
    action: string,
    before: RoutingView | undefined,
    reason?: string,
  ): Promise<void> {
    return recordRevisionChange(this.audit, tx, 'routing', view, action, before, reason);
  }
}

function toOperationDto(o: RoutingView['operations'][number]): RoutingOperationDto {
  return {
    seq: o.seq,
    name: o.name,
    nameZh: o.nameZh ?? undefined,
    workCenterId: o.workCenterId,
    minTransferQty: o.minTransferQty ?? undefined,
    instructions: o.instructions ?? undefined,
    attachments: o.attachments,
    parameters: o.parameters,
    inspectionPoint: o.inspectionPoint,
    equipment: o.equipment.map((e) => ({
      equipmentId: e.equipmentId,
      runTimePerUnitSec: e.runTimePerUnitSec,
      setupTimeSec: e.setupTimeSec,
      setupFamily: e.setupFamily ?? undefined,
    })),
  };
}
