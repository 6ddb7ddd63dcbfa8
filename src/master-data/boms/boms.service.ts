import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, type FieldError, notFound } from '../../platform/errors/domain-error';
import { Site } from '../../platform/sites/site.entity';
import { MasterDataErrorCode } from '../master-data.errors';
import {
  assertCurrentVersion,
  listRevisions,
  loadRevision,
  localDate,
  nextRevision,
  overlapError,
  recordRevisionChange,
  validityError,
} from '../catalog/revisions';
import type { RevisionListQueryDto } from '../catalog/revision-list.dto';
import { Material } from '../materials/material.entity';
import type { BomLineDto, CreateBomDto, UpdateBomDto } from './bom.dto';
import { Bom, BomLine } from './bom.entity';
import { explodeBom, findBomCycle, type BomInput, type ExplosionResult } from './engine/bom-explosion';

export interface BomView extends Omit<Bom, 'lines' | 'site' | 'material'> {
  materialCode: string;
  lines: Array<BomLine & { componentCode: string; componentName: string }>;
}

export type ExplosionView = ExplosionResult & {
  at: string;
  materials: Record<string, { code: string; name: string; nameZh: string | null; baseUnitId: string }>;
};

const MAKEABLE = ['finished', 'semi_finished'];

/**
 * Bills of materials: revisions with validity dates, lines checked against active materials of the site,
 * cycles refused on save, and explosion into requirements (with scrap) by the pure engine.
 */
@Injectable()
export class BomsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  list(p: Principal, siteId: string, f: RevisionListQueryDto) {
    assertSiteAccess(p, siteId);
    return listRevisions(this.dataSource.manager, Bom, siteId, f);
  }

  async get(p: Principal, siteId: string, id: string): Promise<BomView> {
    assertSiteAccess(p, siteId);
    return this.view(this.dataSource.manager, await this.load(this.dataSource.manager, siteId, id));
  }

  async create(p: Principal, siteId: string, dto: CreateBomDto): Promise<BomView> {
    assertSiteAccess(p, siteId);
    return this.tx.run((tx) => this.createIn(tx, siteId, dto));
  }

  /** Creates a revision inside the caller's transaction (the import runs many in one). */
  async createIn(tx: Tx, siteId: string, dto: CreateBomDto, action = 'created'): Promise<BomView> {
    // One writer per material at a time: revision numbers and validity checks stay consistent.
    await tx.manager.query('SELECT 1 FROM material WHERE id = $1 FOR UPDATE', [dto.materialId]);
    const errors = await this.check(tx.manager, siteId, undefined, {
      materialId: dto.materialId,
      validFrom: dto.validFrom,
      validTo: dto.validTo ?? null,
      baseQuantity: dto.baseQuantity ?? '1',
      lines: dto.lines,
    });
    this.throwIfInvalid(errors);

    const bom = await tx.manager.getRepository(Bom).save(
      tx.manager.create(Bom, {
        siteId,
        materialId: dto.materialId,
        revision: await nextRevision(tx.manager, 'bom', dto.materialId),
        validFrom: dto.validFrom,
        validTo: dto.validTo ?? null,
        baseQuantity: dto.baseQuantity ?? '1',
        description: dto.description ?? null,
      }),
    );
    await this.saveLines(tx, bom.id, dto.lines);
    const view = await this.view(tx.manager, bom);
    await this.record(tx, view, action, undefined);
    return view;
  }

  async update(p: Principal, siteId: string, id: string, dto: UpdateBomDto): Promise<BomView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) =>
      this.updateIn(tx, siteId, await this.load(tx.manager, siteId, id, true), dto),
    );
  }

  /** Updates a revision inside the caller's transaction. */
  async updateIn(
    tx: Tx,
    siteId: string,
    existing: Bom,
    dto: UpdateBomDto,
    action = 'updated',
  ): Promise<BomView> {
    const id = existing.id;
    assertCurrentVersion(`BOM revision ${existing.revision}`, existing.version, dto.version);
    const before = await this.view(tx.manager, existing);
    const lines = dto.lines ?? before.lines.map(toLineDto);
    const errors = await this.check(
      tx.manager,
      siteId,
      existing,
      {
        materialId: existing.materialId,
        validFrom: dto.validFrom ?? existing.validFrom,
        validTo: dto.validTo !== undefined ? dto.validTo : existing.validTo,
        baseQuantity: dto.baseQuantity ?? existing.baseQuantity,
        lines,
      },
      new Set(before.lines.map((l) => l.componentId)),
    );
    this.throwIfInvalid(errors);
    await tx.manager.update(
      Bom,
      { id },
      {
        ...(dto.validFrom !== undefined && { validFrom: dto.validFrom }),
        ...(dto.validTo !== undefined && { validTo: dto.validTo }),
        ...(dto.baseQuantity !== undefined && { baseQuantity: dto.baseQuantity }),
        ...(dto.description !== undefined && { description: dto.description }),
      },
    );
    if (dto.lines) {
      await tx.manager.delete(BomLine, { bomId: id });
      await this.saveLines(tx, id, dto.lines);
    } else if (Object.keys(dto).every((k) => k === 'version' || k === 'reason')) {
      return before;
    }
    // Lines alone do not touch the header row: bump its version so concurrent editors see the change.
    await tx.manager.query('UPDATE bom SET version = $2, updated_at = now() WHERE id = $1', [
      id,
      existing.version + 1,
    ]);
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
  ): Promise<BomView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const existing = await this.load(tx.manager, siteId, id, true);
      assertCurrentVersion(`BOM revision ${existing.revision}`, existing.version, version);
      const before = await this.view(tx.manager, existing);
      if (existing.active === active) return before;
      if (active) {
        const errors = await this.check(
          tx.manager,
          siteId,
          existing,
          { ...existing, lines: before.lines.map(toLineDto) },
          new Set(before.lines.map((l) => l.componentId)),
        );
        this.throwIfInvalid(errors);
      }
      await tx.manager.query(
        'UPDATE bom SET active = $2, version = version + 1, updated_at = now() WHERE id = $1',
        [id, active],
      );
      const after = await this.view(tx.manager, await this.load(tx.manager, siteId, id));
      await this.record(tx, after, active ? 'reactivated' : 'deactivated', before, reason);
      return after;
    });
  }

  async explode(
    p: Principal,
    siteId: string,
    materialId: string,
    quantity: string,
    at?: string,
  ): Promise<ExplosionView> {
    assertSiteAccess(p, siteId);
    const manager = this.dataSource.manager;
    const root = await manager.getRepository(Material).findOneBy({ id: materialId });
    if (!root || root.siteId !== siteId) throw notFound('material', materialId);
    const day = at ?? (await this.today(siteId));
    const boms = await manager
      .getRepository(Bom)
      .createQueryBuilder('b')
      .leftJoinAndSelect('b.lines', 'l')
      .where(
        'b.siteId = :siteId AND b.active AND b.validFrom <= :day AND (b.validTo IS NULL OR b.validTo > :day)',
        { siteId, day },
      )
      .getMany();
    const byMaterial = new Map<string, BomInput>(
      boms.map((b) => [
        b.materialId,
        {
          bomId: b.id,
          materialId: b.materialId,
          baseQuantity: b.baseQuantity,
          lines: (b.lines ?? []).map((l) => ({
            lineNo: l.lineNo,
            componentId: l.componentId,
            quantityPer: l.quantityPer,
            scrapFactor: l.scrapFactor,
            issueMethod: l.issueMethod,
            operationSeq: l.operationSeq,
          })),
        },
      ]),
    );
    let result: ExplosionResult;
    try {
      result = explodeBom(materialId, quantity, (id) => byMaterial.get(id));
    } catch (err) {
      throw new DomainError(
        'unprocessable',
        MasterDataErrorCode.INVALID_REFERENCE,
        `The BOM of ${root.code} cannot be exploded: ${(err as Error).message}`,
      );
    }
    const ids = new Set<string>([materialId, ...result.lines.map((l) => l.componentId)]);
    const materials = await manager.getRepository(Material).findBy({ id: In([...ids]) });
    return {
      ...result,
      at: day,
      materials: Object.fromEntries(
        materials.map((m) => [
          m.id,
          { code: m.code, name: m.name, nameZh: m.nameZh, baseUnitId: m.baseUnitId },
        ]),
      ),
    };
  }

  /** Every problem with a BOM revision as it would be saved, as field errors. */
  private async check(
    manager: EntityManager,
    siteId: string,
    self: Bom | undefined,
    b: {
      materialId: string;
      validFrom: string;
      validTo: string | null;
      baseQuantity: string;
      lines: BomLineDto[];
    },
    alreadyUsed: Set<string> = new Set(),
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const parent = await manager.getRepository(Material).findOneBy({ id: b.materialId });
    if (!parent || parent.siteId !== siteId)
      return [{ field: 'materialId', message: `no material ${b.materialId} at this site` }];
    if (!parent.active)
      errors.push({ field: 'materialId', message: `material ${parent.code} is deactivated` });
    if (!MAKEABLE.includes(parent.materialClass))
      errors.push({
        field: 'materialId',
        message: `${parent.code} is ${parent.materialClass}: only finished and semi-finished materials have a BOM`,
      });
    if (/^0+(\.0+)?$/.test(b.baseQuantity))
      errors.push({ field: 'baseQuantity', message: 'baseQuantity must be greater than 0' });
    const validity = validityError(b.validFrom, b.validTo);
    if (validity) errors.push(validity);
    const overlap = await overlapError(
      manager,
      'bom',
      b.materialId,
      parent.code,
      self?.id,
      b.validFrom,
      b.validTo,
    );
    if (overlap) errors.push(overlap);
    const components = await manager
      .getRepository(Material)
      .findBy({ id: In(b.lines.map((l) => l.componentId)) });
    const byId = new Map(components.map((c) => [c.id, c]));
    const lineNos = new Set<number>();
    b.lines.forEach((l, i) => {
      const field = (f: string) => `lines[${i}].${f}`;
      if (lineNos.has(l.lineNo))
        errors.push({ field: field('lineNo'), message: `line number ${l.lineNo} is used twice` });
      lineNos.add(l.lineNo);
      const c = byId.get(l.componentId);
      if (!c || c.siteId !== siteId)
        errors.push({ field: field('componentId'), message: `no material ${l.componentId} at this site` });
      else if (!c.active && !alreadyUsed.has(c.id))
        errors.push({
          field: field('componentId'),
          message: `material ${c.code} is deactivated and cannot be used on a new line`,
        });
      if (l.componentId === b.materialId)
        errors.push({ field: field('componentId'), message: 'a material cannot contain itself' });
      if (/^0+(\.0+)?$/.test(l.quantityPer))
        errors.push({ field: field('quantityPer'), message: 'quantityPer must be greater than 0' });
    });
    if (errors.length) return errors;

    // Cycle check over the active BOMs of the site, with this one as it would be saved.
    const edgesRows: Array<{ material_id: string; component_id: string }> = await manager.query(
      `SELECT b.material_id, l.component_id FROM bom b JOIN bom_line l ON l.bom_id = b.id
        WHERE b.site_id = $1 AND b.active AND b.id <> coalesce($2::uuid, '00000000-0000-0000-0000-000000000000')`,
      [siteId, self?.id ?? null],
    );
    const edges = new Map<string, string[]>();
    for (const r of edgesRows)
      edges.set(r.material_id, [...(edges.get(r.material_id) ?? []), r.component_id]);
    edges.set(b.materialId, [...(edges.get(b.materialId) ?? []), ...b.lines.map((l) => l.componentId)]);
    const cycle = findBomCycle(edges, b.materialId);
    if (cycle) {
      const codes = await this.codes(manager, cycle);
      errors.push({
        field: 'lines',
        message: `this BOM would make a cycle: ${cycle.map((id) => codes.get(id) ?? id).join(' → ')}`,
      });
    }
    return errors;
  }

  private throwIfInvalid(errors: FieldError[]): void {
    if (errors.length === 0) return;
    const cycle = errors.some((e) => e.message.startsWith('this BOM would make a cycle'));
    throw new DomainError(
      'unprocessable',
      cycle ? MasterDataErrorCode.BOM_CYCLE : MasterDataErrorCode.INVALID_REFERENCE,
      cycle ? 'The BOM would contain itself' : 'The BOM cannot be saved as given',
      { errors },
    );
  }

  private async saveLines(tx: Tx, bomId: string, lines: BomLineDto[]): Promise<void> {
    await tx.manager.insert(
      BomLine,
      lines.map((l) => ({
        bomId,
        lineNo: l.lineNo,
        componentId: l.componentId,
        quantityPer: l.quantityPer,
        scrapFactor: l.scrapFactor ?? '0',
        issueMethod: l.issueMethod ?? 'manual',
        operationSeq: l.operationSeq ?? null,
      })),
    );
  }

  private load(manager: EntityManager, siteId: string, id: string, lock = false): Promise<Bom> {
    return loadRevision(manager, Bom, 'bom', siteId, id, lock);
  }

  private async view(manager: EntityManager, bom: Bom): Promise<BomView> {
    const lines = await manager
      .getRepository(BomLine)
      .find({ where: { bomId: bom.id }, order: { lineNo: 'ASC' } });
    const materials = await manager
      .getRepository(Material)
      .findBy({ id: In([bom.materialId, ...lines.map((l) => l.componentId)]) });
    const byId = new Map(materials.map((m) => [m.id, m]));
    const { lines: _l, site: _s, material: _m, ...header } = bom;
    return {
      ...header,
      materialCode: byId.get(bom.materialId)?.code ?? '',
      lines: lines.map((l) => ({
        ...l,
        componentCode: byId.get(l.componentId)?.code ?? '',
        componentName: byId.get(l.componentId)?.name ?? '',
      })),
    };
  }

  private record(
    tx: Tx,
    view: BomView,
    action: string,
    before: BomView | undefined,
    reason?: string,
  ): Promise<void> {
    return recordRevisionChange(this.audit, tx, 'bom', view, action, before, reason);
  }

  private async codes(manager: EntityManager, ids: string[]): Promise<Map<string, string>> {
    const rows = await manager.getRepository(Material).findBy({ id: In([...new Set(ids)]) });
    return new Map(rows.map((m) => [m.id, m.code]));
  }

  private async today(siteId: string): Promise<string> {
    const site = await this.dataSource.getRepository(Site).findOneByOrFail({ id: siteId });
    return localDate(site.timeZone, new Date());
  }
}

function toLineDto(l: BomLine): BomLineDto {
  return {
    lineNo: l.lineNo,
    componentId: l.componentId,
    quantityPer: l.quantityPer,
    scrapFactor: l.scrapFactor,
    issueMethod: l.issueMethod,
    operationSeq: l.operationSeq ?? undefined,
  };
}
