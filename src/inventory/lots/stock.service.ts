import { isUUID } from 'class-validator';
import type { StockCandidate } from '../engine/allocation';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { RequestContext } from '../../platform/context/request-context';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import type { Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { localDate } from '../../platform/engine/local-date';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { Site } from '../../platform/sites/site.entity';
import {
  DEFAULT_LOT_CODE_PATTERN,
  formatLotCode,
  lotCodeSequenceScope,
  MasterDataFacade,
  type Material,
} from '../../master-data/master-data.facade';
import { InventoryErrorCode } from '../inventory.errors';
import { InventoryMovement, type MovementType } from './inventory-movement.entity';
import { ReservationsService } from '../reservations/reservations.service';
import { SafetyStockService } from '../safety-stock/safety-stock.service';
import { LineSideCheck } from '../line-side/line-side-check.service';
import { SerialsService } from '../serials/serials.service';
import { Lot, type LotOrigin, type LotStatus } from './lot.entity';
import { StockBalance } from './stock-balance.entity';
import { LotHistory } from './lot-history';

export interface CreateLotCommand {
  siteId: string;
  materialId: string;
  quantity: string;
  locationId: string;
  origin: LotOrigin;
  code?: string;
  /** Defaults to quarantine when the material requires inspection, else available. */
  status?: LotStatus;
  supplierId?: string | null;
  supplierLot?: string | null;
  expiryDate?: string | null;
  workOrderId?: string | null;
  workOrderCode?: string | null;
  /** Lot code rule when the material has none (the site's default). */
  defaultPattern?: string;
  reference?: string | null;
  /** What one base unit cost (site currency), when known. */
  unitCost?: string | null;
  /** Serial-tracked materials: one per unit; generated from the lot code when omitted. */
  serials?: string[];
}

export interface IssueCommand {
  siteId: string;
  lotId: string;
  locationId: string;
  quantity: string;
  workOrderId: string;
  operationId: string;
  reference?: string;
  /** The units consumed (serial-tracked lots); the first at the place when omitted. */
  serials?: string[];
}

/** One row of the stock ledger, as a service writes it. */
export interface LedgerEntry {
  siteId: string;
  movementType: MovementType;
  lotId: string;
  materialId: string;
  quantity: string;
  fromLocationId: string | null;
  toLocationId: string | null;
  workOrderId: string | null;
  operationId: string | null;
  reference: string | null;
  reasonCodeId?: string | null;
  note?: string | null;
  /** Serial-tracked lots: the units moved (else the first at the place). */
  serials?: string[];
  /** Split and merge (the outgoing row): the lot and place the units now belong to. */
  relink?: { lotId: string; locationId: string };
}

export interface LotStockRow {
  lotId: string;
  lotCode: string;
  locationId: string;
  available: string;
  receivedAt: string;
  expiryDate: string | null;
}

/** Lots, their balances and the movement ledger. Every change is guarded SQL inside the caller's transaction. */
@Injectable()
export class StockService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly masterData: MasterDataFacade,
    private readonly reservations: ReservationsService,
    private readonly safety: SafetyStockService,
    private readonly lineSide: LineSideCheck,
    private readonly serials: SerialsService,
    private readonly history: LotHistory,
  ) {}

  async createLot(tx: Tx, c: CreateLotCommand): Promise<Lot> {
    const material = await this.masterData.material(c.siteId, c.materialId, tx.manager);
    if (!material) throw notFound('material', c.materialId);
    const site = await tx.manager.getRepository(Site).findOneByOrFail({ id: c.siteId });
    const today = localDate(site.timeZone, new Date());
    const code = await this.lotCode(tx.manager, {
      site,
      material,
      code: c.code,
      workOrderCode: c.workOrderCode,
      defaultPattern: c.defaultPattern,
      today,
    });
    const expiryDate =
      c.expiryDate ??
      (material.shelfLifeDays
        ? new Date(Date.parse(`${today}T00:00:00Z`) + material.shelfLifeDays * 86400000)
            .toISOString()
            .slice(0, 10)
        : null);
    const lot = await tx.manager.getRepository(Lot).save(
      tx.manager.getRepository(Lot).create({
        siteId: c.siteId,
        code,
        materialId: material.id,
        unitId: material.baseUnitId,
        status: c.status ?? (material.inspectionRequired ? 'quarantine' : 'available'),
        statusReason: null,
        origin: c.origin,
        initialQty: c.quantity,
        workOrderId: c.workOrderId ?? null,
        supplierId: c.supplierId ?? null,
        supplierLot: c.supplierLot ?? null,
        expiryDate,
        unitCost: c.unitCost ?? null,
      }),
    );
    await tx.manager.insert(StockBalance, {
      lotId: lot.id,
      locationId: c.locationId,
      siteId: c.siteId,
      materialId: material.id,
      quantity: c.quantity,
    });
    const receipt = await this.move(tx.manager, {
      siteId: c.siteId,
      movementType: c.origin === 'production' ? 'production_receipt' : 'receipt',
      lotId: lot.id,
      materialId: material.id,
      quantity: c.quantity,
      fromLocationId: null,
      toLocationId: c.locationId,
      workOrderId: c.workOrderId ?? null,
      operationId: null,
      reference: c.reference ?? null,
    });
    if (material.serialTracked) {
      await this.serials.register(tx.manager, lot, c.locationId, c.quantity, c.serials);
    } else if (c.serials?.length) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        'This material has no serial numbers',
        {
          errors: [{ field: 'serials', message: `${material.code} is not serial-tracked` }],
        },
      );
    }
    await this.history.record(tx, {
      lot,
      action: 'lot.created',
      before: null,
      created: lot,
      movements: [receipt],
      details: { locationId: c.locationId },
    });
    this.raiseCreated(tx, lot, c.quantity, c.locationId);
    await this.safety.check(tx, c.siteId, material.id);
    return lot;
  }

  /**
   * The code of a new lot: the one given (refused when the site has it already), else the next by the
   * material's lot code rule (or `defaultPattern`, else the default rule).
   */
  async lotCode(
    manager: EntityManager,
    c: {
      site: Site;
      material: Material;
      code?: string;
      workOrderCode?: string | null;
      defaultPattern?: string;
      today: string;
      /** The request field the code came from, for a refusal. */
      field?: string;
    },
  ): Promise<string> {
    const code =
      c.code ??
      (await this.nextLotCode(manager, {
        pattern: c.material.lotCodePattern ?? c.defaultPattern ?? DEFAULT_LOT_CODE_PATTERN,
        siteId: c.site.id,
        siteCode: c.site.code,
        materialCode: c.material.code,
        workOrderCode: c.workOrderCode ?? '',
        today: c.today,
      }));
    const taken = await manager.getRepository(Lot).existsBy({ siteId: c.site.id, code });
    if (taken) {
      throw new DomainError('conflict', InventoryErrorCode.LOT_CODE_TAKEN, `Lot ${code} already exists`, {
        errors: [{ field: c.field ?? 'lotCode', message: `lot ${code} already exists at this site` }],
      });
    }
    return code;
  }

  /** Announces a new lot (inside the creating transaction: quality makes its incoming/final inspections). */
  raiseCreated(tx: Tx, lot: Lot, quantity: string, locationId: string): void {
    tx.raise('inventory.lot.created', {
      lotId: lot.id,
      lotCode: lot.code,
      siteId: lot.siteId,
      materialId: lot.materialId,
      origin: lot.origin,
      status: lot.status,
      quantity,
      locationId,
      workOrderId: lot.workOrderId,
      supplierId: lot.supplierId,
    });
  }

  /** Announces one ledger row of a lot (after commit: WMS, traceability, dashboards). */
  raiseMoved(tx: Tx, lot: Lot, m: InventoryMovement): void {
    tx.raise('inventory.stock.moved', {
      siteId: lot.siteId,
      movementId: String(m.id),
      movementType: m.movementType,
      lotId: lot.id,
      lotCode: lot.code,
      materialId: lot.materialId,
      quantity: formatExact(parseDecimal(m.quantity)),
      fromLocationId: m.fromLocationId,
      toLocationId: m.toLocationId,
      workOrderId: m.workOrderId,
    });
  }

  /** Takes quantity of a lot at a location for a work order; refuses rather than going below zero. */
  async issue(tx: Tx, c: IssueCommand): Promise<InventoryMovement> {
    const lot = await tx.manager.getRepository(Lot).findOneBy({ id: c.lotId, siteId: c.siteId });
    if (!lot) throw notFound('lot', c.lotId);
    if (lot.status !== 'available') {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.LOT_NOT_AVAILABLE,
        `Lot ${lot.code} is ${lot.status}${lot.statusReason ? ` (${lot.statusReason})` : ''}; only available lots can be used`,
        { extensions: { lotStatus: lot.status } },
      );
    }
    const before = await this.history.state(tx.manager, lot.id);
    await this.take(tx.manager, lot, c.locationId, c.quantity);
    const movement = await this.move(tx.manager, {
      siteId: c.siteId,
      movementType: 'issue',
      lotId: c.lotId,
      materialId: lot.materialId,
      quantity: c.quantity,
      fromLocationId: c.locationId,
      toLocationId: null,
      workOrderId: c.workOrderId,
      operationId: c.operationId,
      reference: c.reference ?? null,
      serials: c.serials,
    });
    await this.reservations.consume(tx.manager, c.workOrderId, lot.materialId, c.quantity);
    await this.markConsumedIfEmpty(tx.manager, c.lotId, 'fully issued');
    await this.history.record(tx, { lot, action: 'lot.issued', before, movements: [movement] });
    this.raiseMoved(tx, lot, movement);
    await this.safety.check(tx, c.siteId, lot.materialId);
    await this.lineSide.afterDecrease(tx, c.siteId, c.locationId, lot.materialId);
    return movement;
  }

  /** Guarded decrement of a lot at a location: refuses rather than going below zero. */
  async take(manager: EntityManager, lot: Lot, locationId: string, quantity: string): Promise<void> {
    const [rows] = await manager.query<[Array<{ quantity: string }>, number]>(
      `UPDATE stock_balance SET quantity = quantity - $3, updated_at = now()
        WHERE lot_id = $1 AND location_id = $2 AND quantity >= $3
        RETURNING quantity`,
      [lot.id, locationId, quantity],
    );
    if (rows[0]) return;
    const have = await manager.getRepository(StockBalance).findOneBy({ lotId: lot.id, locationId });
    const available = formatExact(parseDecimal(have?.quantity ?? '0'));
    throw new DomainError(
      'conflict',
      InventoryErrorCode.INSUFFICIENT_STOCK,
      `Lot ${lot.code} has only ${available} at this location; ${formatExact(parseDecimal(quantity))} was requested`,
      {
        errors: [{ field: 'quantity', message: `at most ${available} is available` }],
        extensions: { availableQty: available },
      },
    );
  }

  /** Makes sure a lot has a balance row at a location (zero when new), so it can be locked and added to. */
  async ensureBalance(manager: EntityManager, lot: Lot, locationId: string): Promise<void> {
    await manager.query(
      `INSERT INTO stock_balance (lot_id, location_id, site_id, material_id, quantity)
       VALUES ($1, $2, $3, $4, 0) ON CONFLICT (lot_id, location_id) DO NOTHING`,
      [lot.id, locationId, lot.siteId, lot.materialId],
    );
  }

  /** Adds to a lot's balance at a location (the row exists: {@link ensureBalance}). */
  async put(manager: EntityManager, lot: Lot, locationId: string, quantity: string): Promise<void> {
    await manager.query(
      `UPDATE stock_balance SET quantity = quantity + $3, updated_at = now() WHERE lot_id = $1 AND location_id = $2`,
      [lot.id, locationId, quantity],
    );
  }

  /**
   * A lot with nothing left anywhere is used up. The caller's own lot audit row (written after this) carries
   * the status change.
   */
  async markConsumedIfEmpty(manager: EntityManager, lotId: string, why: string): Promise<void> {
    await manager.query(
      `UPDATE lot SET status = 'consumed', status_reason = $2, updated_at = now(), version = version + 1
        WHERE id = $1 AND status = 'available'
          AND NOT EXISTS (SELECT 1 FROM stock_balance WHERE lot_id = $1 AND quantity > 0)`,
      [lotId, why],
    );
  }

  /**
   * The location a lot's stock is taken from (or, with `empty`, put at): the one named, or the only one where
   * the lot has stock; refusals name `field`.
   */
  async placeOf(
    manager: EntityManager,
    lot: Lot,
    locationId: string | null,
    field: string,
    empty = false,
  ): Promise<string> {
    if (locationId) return locationId;
    const stocked = (await manager.getRepository(StockBalance).findBy({ lotId: lot.id })).filter(
      (b) => compare(parseDecimal(b.quantity), ZERO) > 0,
    );
    if (stocked.length === 1) return stocked[0]!.locationId;
    if (stocked.length === 0 && !empty) {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.INSUFFICIENT_STOCK,
        `Lot ${lot.code} has no stock`,
        {
          errors: [{ field, message: `lot ${lot.code} has no stock anywhere` }],
          extensions: { availableQty: '0' },
        },
      );
    }
    const codes: string[] = [];
    for (const b of stocked) {
      codes.push((await this.masterData.location(lot.siteId, b.locationId, manager))?.code ?? b.locationId);
    }
    throw new DomainError(
      'validation',
      PlatformErrorCode.VALIDATION_FAILED,
      stocked.length === 0
        ? `Lot ${lot.code} has no stock; say where the stock goes`
        : `Lot ${lot.code} is stocked at ${stocked.length} locations; say which one`,
      {
        errors: [
          {
            field,
            message:
              stocked.length === 0
                ? 'is required: the lot has no stock anywhere'
                : `is required: the lot is at ${codes.sort().join(', ')}`,
          },
        ],
      },
    );
  }

  /** More than zero, with no more decimals than the lot's unit allows; refusals name `field`. */
  async checkQuantity(manager: EntityManager, lot: Lot, quantity: string, field: string): Promise<void> {
    if (compare(parseDecimal(quantity), ZERO) <= 0) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Nothing to move', {
        errors: [{ field, message: `${field.split('.').pop()} must be greater than 0` }],
      });
    }
    const unit = await this.masterData.unit(lot.siteId, lot.unitId, manager);
    const decimals = unit?.decimals ?? 6;
    const fraction = /\.(\d*?)0*$/.exec(quantity)?.[1] ?? '';
    if (fraction.length > decimals) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        `${unit?.code ?? 'The unit'} allows ${decimals} decimal(s)`,
        {
          errors: [
            {
              field,
              message:
                decimals === 0
                  ? `must be a whole number of ${unit?.code ?? 'units'}`
                  : `at most ${decimals} decimal(s) in ${unit?.code ?? 'this unit'}`,
            },
          ],
        },
      );
    }
  }

  findLot(manager: EntityManager, siteId: string, idOrCode: string): Promise<Lot | null> {
    return manager
      .getRepository(Lot)
      .findOneBy(isUUID(idOrCode) ? { siteId, id: idOrCode } : { siteId, code: idOrCode });
  }

  balancesOf(manager: EntityManager, lotIds: string[]): Promise<StockBalance[]> {
    if (lotIds.length === 0) return Promise.resolve([]);
    return manager.getRepository(StockBalance).find({ where: { lotId: In(lotIds) } });
  }

  /**
   * Per material at a site: available stock (lots in status available, any location) and what other orders'
   * active reservations promise, in one statement.
   */
  async freeByMaterial(
    manager: EntityManager,
    siteId: string,
    materialIds: string[],
    exceptWorkOrderId: string,
  ): Promise<Map<string, { onHand: string; reserved: string }>> {
    const result = new Map<string, { onHand: string; reserved: string }>();
    if (materialIds.length === 0) return result;
    const rows: Array<{ material_id: string; on_hand: string; reserved: string }> = await manager.query(
      `SELECT m.id AS material_id,
              coalesce((SELECT sum(b.quantity) FROM stock_balance b JOIN lot l ON l.id = b.lot_id
                         WHERE b.site_id = $1 AND b.material_id = m.id AND l.status = 'available'
                           AND b.quantity > 0), 0)::text AS on_hand,
              coalesce((SELECT sum(r.quantity) FROM inventory_reservation r
                         WHERE r.site_id = $1 AND r.material_id = m.id AND r.status = 'active'
                           AND r.work_order_id <> $3), 0)::text AS reserved
         FROM unnest($2::uuid[]) AS m(id)`,
      [siteId, materialIds, exceptWorkOrderId],
    );
    for (const r of rows) result.set(r.material_id, { onHand: r.on_hand, reserved: r.reserved });
    return result;
  }

  /**
   * Stock of a material a warehouse pick may take: available lots in warehouse, zone and bin locations,
   * lots then balances locked (each in a fixed order) so two picks cannot hand out the same quantity.
   */
  async warehouseCandidates(
    manager: EntityManager,
    siteId: string,
    materialId: string,
  ): Promise<StockCandidate[]> {
    // The lots first, in id order, as every lot command locks a lot before its balances (see LotHistory).
    await manager.query(
      `SELECT l.id FROM lot l
        WHERE l.status = 'available'
          AND l.id IN (SELECT b.lot_id FROM stock_balance b JOIN storage_location s ON s.id = b.location_id
                        WHERE b.site_id = $1 AND b.material_id = $2 AND b.quantity > 0
                          AND s.location_type IN ('warehouse', 'zone', 'bin') AND s.active)
        ORDER BY l.id
          FOR UPDATE OF l`,
      [siteId, materialId],
    );
    const rows: Array<{
      lot_id: string;
      code: string;
      location_id: string;
      status: string;
      quantity: string;
      received_at: Date;
      expiry_date: string | null;
    }> = await manager.query(
      `SELECT b.lot_id, l.code, b.location_id, l.status, b.quantity::text AS quantity, l.received_at,
              to_char(l.expiry_date, 'YYYY-MM-DD') AS expiry_date
         FROM stock_balance b JOIN lot l ON l.id = b.lot_id JOIN storage_location s ON s.id = b.location_id
        WHERE b.site_id = $1 AND b.material_id = $2 AND l.status = 'available' AND b.quantity > 0
          AND s.location_type IN ('warehouse', 'zone', 'bin') AND s.active
        ORDER BY b.lot_id, b.location_id
          FOR UPDATE OF b`,
      [siteId, materialId],
    );
    return rows.map((r) => ({
      lotId: r.lot_id,
      lotCode: r.code,
      locationId: r.location_id,
      status: r.status,
      available: r.quantity,
      receivedAt: r.received_at.toISOString(),
      expiryDate: r.expiry_date,
    }));
  }

  /** Available quantity per location and material at the given locations (lots in status available). */
  async availableAt(
    manager: EntityManager,
    locationIds: string[],
    materialIds: string[],
  ): Promise<Array<{ locationId: string; materialId: string; quantity: string }>> {
    if (locationIds.length === 0 || materialIds.length === 0) return [];
    const rows: Array<{ location_id: string; material_id: string; qty: string }> = await manager.query(
      `SELECT b.location_id, b.material_id, sum(b.quantity)::text AS qty
         FROM stock_balance b JOIN lot l ON l.id = b.lot_id
        WHERE b.location_id = ANY($1::uuid[]) AND b.material_id = ANY($2::uuid[])
          AND l.status = 'available' AND b.quantity > 0
        GROUP BY b.location_id, b.material_id`,
      [locationIds, materialIds],
    );
    return rows.map((r) => ({ locationId: r.location_id, materialId: r.material_id, quantity: r.qty }));
  }

  /** Available lots of a material at the given locations (oldest first), for picking and backflush. */
  async stockAt(manager: EntityManager, materialId: string, locationIds: string[]): Promise<LotStockRow[]> {
    if (locationIds.length === 0) return [];
    const rows: Array<{
      lot_id: string;
      code: string;
      location_id: string;
      quantity: string;
      received_at: Date;
      expiry_date: string | null;
    }> = await manager.query(
      `SELECT b.lot_id, l.code, b.location_id, b.quantity::text AS quantity, l.received_at,
              to_char(l.expiry_date, 'YYYY-MM-DD') AS expiry_date
         FROM stock_balance b JOIN lot l ON l.id = b.lot_id
        WHERE b.material_id = $1 AND b.location_id = ANY($2::uuid[]) AND l.status = 'available'
          AND b.quantity > 0
        ORDER BY l.received_at, l.id`,
      [materialId, locationIds],
    );
    return rows.map((r) => ({
      lotId: r.lot_id,
      lotCode: r.code,
      locationId: r.location_id,
      available: r.quantity,
      receivedAt: r.received_at.toISOString(),
      expiryDate: r.expiry_date,
    }));
  }

  private async nextLotCode(
    manager: EntityManager,
    p: {
      pattern: string;
      siteId: string;
      siteCode: string;
      materialCode: string;
      workOrderCode: string;
      today: string;
    },
  ): Promise<string> {
    const [year, month, day] = p.today.split('-').map(Number) as [number, number, number];
    const input = {
      materialCode: p.materialCode,
      workOrderCode: p.workOrderCode,
      siteCode: p.siteCode,
      date: { year, month, day },
    };
    const scope = lotCodeSequenceScope(p.pattern, input);
    // Skips codes someone typed in by hand (receipts may carry the supplier's code).
    for (;;) {
      const sequence = await nextSequenceValue(manager, p.siteId, `lot:${scope}`);
      const code = formatLotCode({ ...input, pattern: p.pattern, sequence });
      if (!(await manager.getRepository(Lot).existsBy({ siteId: p.siteId, code }))) return code;
    }
  }

  /** Appends one ledger row (the caller has changed the balances in the same transaction). */
  async move(manager: EntityManager, m: LedgerEntry): Promise<InventoryMovement> {
    return (await this.moveTracked(manager, m)).movement;
  }

  /** {@link move}, answering also the serial numbers that moved (none for a lot without serials). */
  async moveTracked(
    manager: EntityManager,
    m: LedgerEntry,
  ): Promise<{ movement: InventoryMovement; serials: string[] }> {
    const { serials, relink, ...fields } = m;
    const actor = RequestContext.actor() ?? { type: 'system' as const, id: 'system', name: 'system' };
    const row = manager.getRepository(InventoryMovement).create({
      reasonCodeId: null,
      note: null,
      ...fields,
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name,
      correlationId: RequestContext.correlationId(),
    });
    const saved = await manager.getRepository(InventoryMovement).save(row);
    const moved = await this.serials.follow(manager, {
      siteId: m.siteId,
      lotId: m.lotId,
      materialId: m.materialId,
      movementType: m.movementType,
      quantity: m.quantity,
      fromLocationId: m.fromLocationId,
      toLocationId: m.toLocationId,
      workOrderId: m.workOrderId,
      serials,
      relink,
    });
    // As stored (quantities at the column's scale, defaults filled in), like every later read of it.
    return {
      movement: await manager.getRepository(InventoryMovement).findOneByOrFail({ id: saved.id }),
      serials: moved,
    };
  }
}

/** Positive quantity check shared by the API: more than zero, as a decimal string. */
export function isPositive(quantity: string): boolean {
  return compare(parseDecimal(quantity), parseDecimal('0')) > 0;
}
