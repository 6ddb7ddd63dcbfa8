import type { TestApp } from './test-app';
import { siteWithStaff } from './builders';

/**
 * A small gearbox cell built over the API: one line with a turning and an assembly work center, a lathe and a
 * press, line-side and WIP locations, a shaft assembly made from a bought shaft (scanned) and grease
 * (backflushed), in two operations (turning with a transfer batch of 20, then assembly), and reason codes.
 */
export async function productionFactory(t: TestApp) {
  const { site, users } = await siteWithStaff(t.dataSource, t.http);
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const url = (path: string) => `/api/v1/sites/${site.id}/${path}`;
  const create = async (path: string, body: object): Promise<{ id: string; code: string }> => {
    const res = await t.http.post(url(path)).set(auth(users.admin.token)).send(body);
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; code: string };
  };
  const pcs = await create('units', { code: 'PCS', name: 'Piece', dimension: 'count', decimals: 0 });
  const kg = await create('units', { code: 'KG', name: 'Kilogram', dimension: 'mass', decimals: 3 });
  const area = await create('areas', { code: 'A1', name: 'Assembly hall' });
  const line = await create('lines', { code: 'L1', name: 'Line 1', areaId: area.id });
  const turn = await create('work-centers', { code: 'TURN', name: 'Turning', lineId: line.id });
  const assy = await create('work-centers', { code: 'ASSY', name: 'Assembly', lineId: line.id });
  const lathe = await create('equipment', { code: 'LATHE-1', name: 'Lathe 1', workCenterId: turn.id });
  const press = await create('equipment', { code: 'PRESS-1', name: 'Press 1', workCenterId: assy.id });
  const warehouse = await create('locations', { code: 'WH', name: 'Warehouse', locationType: 'warehouse' });
  const lineSide = await create('locations', {
    code: 'LS-L1',
    name: 'Line side L1',
    locationType: 'line_side',
    lineId: line.id,
  });
  const wip = await create('locations', {
    code: 'WIP-L1',
    name: 'WIP L1',
    locationType: 'wip',
    lineId: line.id,
  });
  const shaft = await create('materials', {
    code: 'SHAFT',
    name: 'Shaft blank',
    materialClass: 'raw',
    baseUnitId: pcs.id,
    lotTracked: true,
  });
  const grease = await create('materials', {
    code: 'GREASE',
    name: 'Grease',
    materialClass: 'consumable',
    baseUnitId: kg.id,
  });
  const product = await create('materials', {
    code: 'SA-100',
    name: 'Shaft assembly',
    materialClass: 'finished',
    baseUnitId: pcs.id,
    lotTracked: true,
    inspectionRequired: true,
    lotCodePattern: '{MAT}-{YYMMDD}-{SEQ:3}',
  });
  await create('boms', {
    materialId: product.id,
    validFrom: '2020-01-01',
    lines: [
      { lineNo: 10, componentId: shaft.id, quantityPer: '1', operationSeq: 10 },
      { lineNo: 20, componentId: grease.id, quantityPer: '0.05', issueMethod: 'backflush', operationSeq: 20 },
    ],
  });
  await create('routings', {
    materialId: product.id,
    validFrom: '2020-01-01',
    operations: [
      {
        seq: 10,
        name: 'Turning',
        nameZh: '车削',
        workCenterId: turn.id,
        minTransferQty: '20',
        instructions: 'Clamp in soft jaws; check Ø40 h6 every 10 parts.',
        parameters: [{ name: 'Spindle speed', unit: 'rpm', min: 2800, max: 3200 }],
        equipment: [{ equipmentId: lathe.id, runTimePerUnitSec: '45', setupTimeSec: '600' }],
      },
      {
        seq: 20,
        name: 'Assembly',
        nameZh: '装配',
        workCenterId: assy.id,
        inspectionPoint: true,
        parameters: [{ name: 'Press force', unit: 'kN', min: 8, max: 12 }],
        equipment: [{ equipmentId: press.id, runTimePerUnitSec: '30', setupTimeSec: '0' }],
      },
    ],
  });
  const reasons = {
    scrap: await create('reason-codes', {
      code: 'S-DIM',
      name: 'Dimension out of tolerance',
      category: 'scrap',
    }),
    pause: await create('reason-codes', { code: 'P-BREAK', name: 'Break', category: 'pause' }),
    breakdown: await create('reason-codes', {
      code: 'D-BRK',
      name: 'Breakdown',
      category: 'downtime_unplanned',
    }),
  };
  return {
    site,
    users,
    auth,
    url,
    units: { pcs, kg },
    line,
    workCenters: { turn, assy },
    equipment: { lathe, press },
    locations: { warehouse, lineSide, wip },
    materials: { shaft, grease, product },
    reasons,
  };
}

export type ProductionFactory = Awaited<ReturnType<typeof productionFactory>>;
