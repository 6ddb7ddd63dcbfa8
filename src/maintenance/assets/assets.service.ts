import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { add, compare, formatExact, parseDecimal } from '../../platform/engine/decimal';
import { DomainError, fieldError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { MasterDataFacade, type Equipment } from '../../master-data/master-data.facade';
import { ProductionFacade } from '../../production/production.facade';
import type { CreateAssetDto, CreateMeterDto, MeterReadingDto, UpdateAssetDto } from '../api/maintenance.dto';
import type { MeterReading } from '../engine/pm-schedule';
import { MaintenanceErrorCode } from '../maintenance.errors';
import { Asset, Meter, MeterReadingRow, readingBased, type MeterFeed } from './asset.entities';

const DAY_MS = 86_400_000;
/** The meter rate is taken over this many recent days. */
export const RATE_WINDOW_DAYS = 28;

export interface MeterView {
  id: string;
  assetId: string;
  code: string;
  kind: string;
  feed: string;
  unit: string;
  offset: string;
  since: Date;
  /** The reading now (fed meters: offset + what production did since). */
  value: string;
  lastReadAt: Date | null;
}

export interface AssetView extends Asset {
  equipmentCode: string;
  equipmentStatus: string;
  components: Asset[];
  meters: MeterView[];
}

/** Assets (machines and their components) and their meters. */
@Injectable()
export class AssetsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly masterData: MasterDataFacade,
    private readonly production: ProductionFacade,
  ) {}

  async list(siteId: string): Promise<Asset[]> {
    return this.dataSource.getRepository(Asset).find({ where: { siteId }, order: { code: 'ASC' } });
  }

  async get(siteId: string, idOrCode: string): Promise<AssetView> {
    const m = this.dataSource.manager;
    const asset = await this.resolve(m, siteId, idOrCode);
    const eq = await this.masterData.equipment(siteId, asset.equipmentId, m);
    const components = await m
      .getRepository(Asset)
      .find({ where: { parentId: asset.id }, order: { code: 'ASC' } });
    const meters = await m
      .getRepository(Meter)
      .find({ where: { assetId: asset.id }, order: { code: 'ASC' } });
    return {
      ...asset,
      equipmentCode: eq?.code ?? '',
      equipmentStatus: eq?.status ?? '',
      components,
      meters: await Promise.all(meters.map((x) => this.meterView(m, x, asset))),
    };
  }

  create(p: Principal, siteId: string, dto: CreateAssetDto): Promise<Asset> {
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const eq = await this.masterData.equipment(siteId, dto.equipment, m);
      if (!eq) throw fieldError('equipment', `no equipment ${dto.equipment} at this site`);
      const parent = dto.parent ? await this.resolve(m, siteId, dto.parent, 'parent') : null;
      if (!parent) {
        const existing = await m.getRepository(Asset).findOneBy({ equipmentId: eq.id, kind: 'equipment' });
        if (existing)
          throw new DomainError(
            'conflict',
            PlatformErrorCode.ALREADY_EXISTS,
            `${eq.code} is already asset ${existing.code}`,
            {
              errors: [{ field: 'equipment', message: `already registered as ${existing.code}` }],
            },
          );
      } else if (parent.equipmentId !== eq.id) {
        throw fieldError('parent', `asset ${parent.code} is not on ${eq.code}`);
      }
      if (parent && !dto.code) throw fieldError('code', 'a component needs its own code');
      const row = await this.insertUnique(m, {
        siteId,
        code: dto.code ?? eq.code,
        name: dto.name ?? (parent ? dto.code! : eq.name),
        kind: parent ? 'component' : 'equipment',
        equipmentId: eq.id,
        parentId: parent?.id ?? null,
        serialNo: dto.serialNo ?? null,
        manufacturer: dto.manufacturer ?? null,
        model: dto.model ?? null,
        installDate: dto.installDate ?? null,
        criticality: dto.criticality ?? 'B',
        documents: dto.documents ?? [],
      });
      await this.audit.record(tx, {
        entityType: 'maintenance_asset',
        entityId: row.id,
        siteId,
        action: 'asset.created',
        after: row,
      });
      return row;
    });
  }

  update(p: Principal, siteId: string, idOrCode: string, dto: UpdateAssetDto): Promise<Asset> {
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const found = await this.resolve(m, siteId, idOrCode);
      const asset = await m
        .getRepository(Asset)
        .findOneOrFail({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      if (dto.expectedVersion !== undefined && dto.expectedVersion !== asset.version) {
        throw stale('asset', asset.code, asset.version);
      }
      const patch: Partial<Asset> = {};
      for (const k of [
        'name',
        'serialNo',
        'manufacturer',
        'model',
        'installDate',
        'criticality',
        'active',
        'documents',
      ] as const) {
        if (dto[k] !== undefined) (patch as Record<string, unknown>)[k] = dto[k];
      }
      await m.update(
        Asset,
        { id: asset.id },
        { ...patch, updatedAt: new Date(), version: asset.version + 1 },
      );
      const after = await m.getRepository(Asset).findOneByOrFail({ id: asset.id });
      await this.audit.record(tx, {
        entityType: 'maintenance_asset',
        entityId: asset.id,
        siteId,
        action: 'asset.updated',
        before: asset,
        after,
      });
      return after;
    });
  }

  /**
   * An asset by id or code, or a machine's own asset by its equipment id or code — registered on first use
   * (every machine of the hierarchy is an asset; its details can be filled in later).
   */
  async resolve(m: EntityManager, siteId: string, idOrCode: string, field = 'asset'): Promise<Asset> {
    const repo = m.getRepository(Asset);
    const asset = isUUID(idOrCode)
      ? ((await repo.findOneBy({ id: idOrCode, siteId })) ??
        (await repo.findOneBy({ equipmentId: idOrCode, siteId, kind: 'equipment' })))
      : await repo.findOneBy({ code: idOrCode, siteId });
    if (asset) return asset;
    const eq = await this.masterData.equipment(siteId, idOrCode, m);
    if (!eq) {
      if (field === 'asset') throw notFound('asset', idOrCode);
      throw fieldError(field, `no asset or equipment ${idOrCode} at this site`);
    }
    return this.ensureMachineAsset(m, eq);
  }

  /** The machine's own asset, created with the equipment's code and name when it has none yet. */
  async ensureMachineAsset(m: EntityManager, eq: Equipment): Promise<Asset> {
    const repo = m.getRepository(Asset);
    const existing = await repo.findOneBy({ equipmentId: eq.id, kind: 'equipment' });
    if (existing) return existing;
    await m.query(
      `INSERT INTO maintenance_asset (site_id, code, name, kind, equipment_id)
       SELECT $1::uuid, CASE WHEN EXISTS (SELECT 1 FROM maintenance_asset WHERE site_id = $1::uuid AND code = $2::text)
                       THEN $2::text || '-' || left($3::text, 8) ELSE $2::text END, $4::text, 'equipment', $3::uuid
       ON CONFLICT DO NOTHING`,
      [eq.siteId, eq.code, eq.id, eq.name],
    );
    return repo.findOneByOrFail({ equipmentId: eq.id, kind: 'equipment' });
  }

  createMeter(p: Principal, siteId: string, assetIdOrCode: string, dto: CreateMeterDto): Promise<MeterView> {
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const asset = await this.resolve(m, siteId, assetIdOrCode);
      if (dto.feed === 'running_time' && dto.kind !== 'run_hours') {
        throw fieldError('feed', 'running_time feeds run_hours meters');
      }
      if (dto.feed === 'reported_quantity' && dto.kind === 'run_hours') {
        throw fieldError('feed', 'run hours are fed by running_time (or typed in)');
      }
      const dup = await m.getRepository(Meter).findOneBy({ assetId: asset.id, code: dto.code });
      if (dup) {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.ALREADY_EXISTS,
          `${asset.code} already has meter ${dto.code}`,
          {
            errors: [{ field: 'code', message: 'already used on this asset' }],
          },
        );
      }
      const row = await m.getRepository(Meter).save(
        m.getRepository(Meter).create({
          siteId,
          assetId: asset.id,
          code: dto.code,
          kind: dto.kind,
          feed: dto.feed,
          unit: dto.unit ?? (dto.kind === 'run_hours' ? 'h' : dto.kind === 'strokes' ? 'strokes' : 'pcs'),
          offset: dto.offset ?? '0',
        }),
      );
      await this.audit.record(tx, {
        entityType: 'maintenance_meter',
        entityId: row.id,
        siteId,
        action: 'meter.created',
        after: row,
      });
      return this.meterView(m, row, asset);
    });
  }

  /** A manual reading: meters only count up. */
  recordReading(
    p: Principal,
    siteId: string,
    assetIdOrCode: string,
    meterCode: string,
    dto: MeterReadingDto,
  ): Promise<MeterView> {
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const asset = await this.resolve(m, siteId, assetIdOrCode);
      const meter = await this.meter(m, asset, meterCode, true);
      if (meter.feed !== 'manual') {
        throw new DomainError(
          'conflict',
          MaintenanceErrorCode.METER_FED,
          meter.feed.startsWith('machine_')
            ? `Meter ${meter.code} counts what the machine reports (${meter.feed}); it takes no readings`
            : `Meter ${meter.code} counts what production reports (${meter.feed}); it takes no readings`,
        );
      }
      const at = dto.at ? new Date(dto.at) : new Date();
      if (at.getTime() > Date.now() + 60_000) throw fieldError('at', 'a reading cannot be in the future');
      const [before] = await m.query<Array<{ value: string; read_at: Date }>>(
        `SELECT value::text AS value, read_at FROM maintenance_meter_reading WHERE meter_id = $1 AND read_at <= $2
          ORDER BY read_at DESC, id DESC LIMIT 1`,
        [meter.id, at],
      );
      const floor = before?.value ?? meter.offset;
      if (compare(parseDecimal(dto.value), parseDecimal(floor)) < 0) {
        throw new DomainError(
          'unprocessable',
          MaintenanceErrorCode.METER_READING_BACKWARDS,
          `Meter ${meter.code} already read ${formatExact(parseDecimal(floor))}; readings only go up`,
          { errors: [{ field: 'value', message: `at least ${formatExact(parseDecimal(floor))}` }] },
        );
      }
      const row = await m.getRepository(MeterReadingRow).save(
        m.getRepository(MeterReadingRow).create({
          meterId: meter.id,
          value: dto.value,
          readAt: at,
          source: 'manual',
          note: dto.note ?? null,
          recordedBy: p.name,
        }),
      );
      await this.audit.record(tx, {
        entityType: 'maintenance_meter',
        entityId: meter.id,
        siteId,
        action: 'meter.read',
        // The meter's reading before this one (its offset when it had none): the row shows what moved.
        before: { value: formatExact(parseDecimal(floor)), readAt: before?.read_at ?? null },
        after: { value: formatExact(parseDecimal(row.value)), readAt: row.readAt, readingId: row.id },
        reason: dto.note,
      });
      return this.meterView(m, meter, asset);
    });
  }

  async meter(m: EntityManager, asset: Asset, idOrCode: string, lock = false): Promise<Meter> {
    const where = isUUID(idOrCode)
      ? { id: idOrCode, assetId: asset.id }
      : { code: idOrCode, assetId: asset.id };
    const meter = await m
      .getRepository(Meter)
      .findOne({ where, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!meter) throw notFound('meter', `${asset.code}/${idOrCode}`);
    return meter;
  }

  /** The meter's reading at an instant (now by default). */
  async valueAt(m: EntityManager, meter: Meter, equipmentId: string, at: Date = new Date()): Promise<string> {
    if (readingBased(meter.feed)) {
      const [row] = await m.query<Array<{ value: string }>>(
        `SELECT value::text AS value FROM maintenance_meter_reading WHERE meter_id = $1 AND read_at <= $2
          ORDER BY read_at DESC, id DESC LIMIT 1`,
        [meter.id, at],
      );
      return formatExact(parseDecimal(row?.value ?? meter.offset));
    }
    if (at.getTime() <= meter.since.getTime()) return formatExact(parseDecimal(meter.offset));
    const used =
      meter.feed === 'reported_quantity'
        ? await this.production.reportedQuantity(m, equipmentId, meter.since, at)
        : (
            Math.round((await this.production.runningHours(m, equipmentId, meter.since, at)) * 1000) / 1000
          ).toFixed(3);
    return formatExact(add(parseDecimal(meter.offset), parseDecimal(used)));
  }

  /**
   * Readings for the due-date forecast: a manual meter's readings over the rate window (and the one before it),
   * a fed meter's value at the start of the window and now.
   */
  async readingsForForecast(
    m: EntityManager,
    meter: Meter,
    equipmentId: string,
    now: Date,
  ): Promise<MeterReading[]> {
    const windowStart = new Date(Math.max(meter.since.getTime(), now.getTime() - RATE_WINDOW_DAYS * DAY_MS));
    if (!readingBased(meter.feed)) {
      const a = await this.valueAt(m, meter, equipmentId, windowStart);
      const b = await this.valueAt(m, meter, equipmentId, now);
      return [
        { at: windowStart.getTime(), value: Number(a) },
        { at: now.getTime(), value: Number(b) },
      ];
    }
    const rows = await m.query<Array<{ value: string; read_at: Date }>>(
      `(SELECT value::text AS value, read_at FROM maintenance_meter_reading WHERE meter_id = $1 AND read_at < $2
         ORDER BY read_at DESC, id DESC LIMIT 1)
       UNION ALL
       (SELECT value::text, read_at FROM maintenance_meter_reading WHERE meter_id = $1 AND read_at >= $2 AND read_at <= $3
         ORDER BY read_at, id)`,
      [meter.id, windowStart, now],
    );
    const readings = rows.map((r) => ({ at: r.read_at.getTime(), value: Number(r.value) }));
    if (readings.length === 0) return [{ at: meter.since.getTime(), value: Number(meter.offset) }];
    return readings;
  }

  /**
   * What a machine reported of its use (pieces counted, hours running), in the caller's transaction: added to
   * its meters fed by machine data. Readings within a minute of the last one are folded into it, so a busy
   * machine writes about one reading per minute and meter.
   */
  async machineUsageIn(
    m: EntityManager,
    equipmentId: string,
    usage: { pieces: number; runHours: number },
    at: Date,
  ): Promise<number> {
    const meters = await m.query<Array<{ id: string; feed: MeterFeed; offset: string }>>(
      `SELECT mm.id, mm.feed, mm."offset"::text AS "offset"
         FROM maintenance_meter mm JOIN maintenance_asset a ON a.id = mm.asset_id
        WHERE a.equipment_id = $1 AND a.active AND mm.feed IN ('machine_count', 'machine_run_time')
        ORDER BY mm.id FOR UPDATE OF mm`,
      [equipmentId],
    );
    let touched = 0;
    for (const meter of meters) {
      const delta = meter.feed === 'machine_count' ? usage.pieces : usage.runHours;
      if (!(delta > 0)) continue;
      const inc = delta.toFixed(3);
      if (inc === '0.000') continue;
      // (An UPDATE answers [rows, count] through TypeORM.)
      const [, folded] = await m.query<[unknown[], number]>(
        `UPDATE maintenance_meter_reading SET value = value + $2::numeric, read_at = greatest(read_at, $3)
          WHERE id = (SELECT id FROM maintenance_meter_reading WHERE meter_id = $1 ORDER BY read_at DESC, id DESC LIMIT 1)
            AND source = 'machine' AND read_at > $3::timestamptz - interval '1 minute'`,
        [meter.id, inc, at],
      );
      if (folded === 0) {
        await m.query(
          `INSERT INTO maintenance_meter_reading (meter_id, value, read_at, source, note, recorded_by)
           SELECT $1, coalesce((SELECT value FROM maintenance_meter_reading WHERE meter_id = $1
                                 ORDER BY read_at DESC, id DESC LIMIT 1), $4::numeric) + $2::numeric,
                  greatest($3::timestamptz, coalesce((SELECT max(read_at) FROM maintenance_meter_reading
                                                       WHERE meter_id = $1), $3::timestamptz)),
                  'machine', NULL, 'machine data'`,
          [meter.id, inc, at, meter.offset],
        );
      }
      touched++;
    }
    return touched;
  }

  async meterView(m: EntityManager, meter: Meter, asset: Asset): Promise<MeterView> {
    const value = await this.valueAt(m, meter, asset.equipmentId);
    const last = readingBased(meter.feed)
      ? await m.query<Array<{ read_at: Date }>>(
          `SELECT max(read_at) AS read_at FROM maintenance_meter_reading WHERE meter_id = $1`,
          [meter.id],
        )
      : [{ read_at: new Date() }];
    return {
      id: meter.id,
      assetId: meter.assetId,
      code: meter.code,
      kind: meter.kind,
      feed: meter.feed,
      unit: meter.unit,
      offset: formatExact(parseDecimal(meter.offset)),
      since: meter.since,
      value,
      lastReadAt: last[0]?.read_at ?? null,
    };
  }

  private async insertUnique(m: EntityManager, row: Partial<Asset>): Promise<Asset> {
    const dup = await m.getRepository(Asset).findOneBy({ siteId: row.siteId, code: row.code });
    if (dup) {
      throw new DomainError('conflict', PlatformErrorCode.ALREADY_EXISTS, `Asset code ${row.code} is taken`, {
        errors: [{ field: 'code', message: 'already used at this site' }],
      });
    }
    return m.getRepository(Asset).save(m.getRepository(Asset).create(row));
  }
}

export function stale(what: string, code: string, version: number): DomainError {
  return new DomainError(
    'conflict',
    MaintenanceErrorCode.STALE_VERSION,
    `The ${what} ${code} changed meanwhile (version ${version}); reload and try again`,
    { extensions: { currentVersion: version } },
  );
}
