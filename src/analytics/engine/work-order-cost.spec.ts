import { type CostInput, type OperationTime, workOrderCost } from './work-order-cost';

const turning: OperationTime = {
  operationId: 'op10',
  seq: 10,
  name: 'Turning',
  workCenterId: 'wc-turn',
  workCenterCode: 'TURN',
  labourSeconds: '1800',
  labourRatePerHour: '60',
  equipmentId: 'lathe',
  equipmentCode: 'LATHE-1',
  machineSeconds: '1800',
  hourlyRate: '80',
};
const assembly: OperationTime = {
  operationId: 'op20',
  seq: 20,
  name: 'Assembly',
  workCenterId: 'wc-assy',
  workCenterCode: 'ASSY',
  labourSeconds: '900',
  labourRatePerHour: '48',
  equipmentId: 'press',
  equipmentCode: 'PRESS-1',
  machineSeconds: '900',
  hourlyRate: '40',
};

/**
 * Worked example, computed by hand: 5 shaft assemblies ordered, 4 good and 1 scrapped at assembly.
 *   material: 5 shafts × 8.50 = 42.50; 0.25 kg grease × 12 = 3.00                       → 45.50
 *   labour:   turning 0.5 h × 60 = 30.00; assembly 0.25 h × 48 = 12.00 (0.75 h)         → 42.00
 *   machine:  lathe 0.5 h × 80 = 40.00; press 0.25 h × 40 = 10.00 (0.75 h)              → 50.00
 *   total 137.50; scrap share 1 / (4 + 1) = 0.2 → 27.50; per good unit 137.50 / 4 = 34.375
 */
const order: CostInput = {
  materials: [
    {
      lotId: 'lot-grease',
      lotCode: 'GR-A',
      materialId: 'grease',
      materialCode: 'GREASE',
      unit: 'KG',
      quantity: '0.25',
      unitCost: '12',
    },
    {
      lotId: 'lot-shaft',
      lotCode: 'SH-A',
      materialId: 'shaft',
      materialCode: 'SHAFT',
      unit: 'PCS',
      quantity: '5',
      unitCost: '8.5',
    },
  ],
  operations: [turning, assembly],
  goodQty: '4',
  scrapQty: '1',
};

describe('work order cost', () => {
  it('the worked example', () => {
    const c = workOrderCost(order);
    expect(c.material.amount).toBe('45.50');
    expect(c.material.lines.map((l) => [l.lotCode, l.amount])).toEqual([
      ['GR-A', '3.00'],
      ['SH-A', '42.50'],
    ]);
    expect(c.labour).toMatchObject({ hours: '0.7500', amount: '42.00' });
    expect(c.labour.lines.map((l) => [l.workCenterCode, l.hours, l.amount])).toEqual([
      ['TURN', '0.5000', '30.00'],
      ['ASSY', '0.2500', '12.00'],
    ]);
    expect(c.machine).toMatchObject({ hours: '0.7500', amount: '50.00' });
    expect(c.machine.lines.map((l) => [l.equipmentCode, l.amount])).toEqual([
      ['LATHE-1', '40.00'],
      ['PRESS-1', '10.00'],
    ]);
    expect(c.total).toBe('137.50');
    expect(c.scrap).toEqual({ quantity: '1', share: 0.2, amount: '27.50' });
    expect(c.perGoodUnit).toBe('34.3750');
    expect(c.missing).toEqual([]);
  });

  it('a machine without an hourly rate: its figures and the total are null and the rate is listed', () => {
    const c = workOrderCost({ ...order, operations: [turning, { ...assembly, hourlyRate: null }] });
    expect(c.material.amount).toBe('45.50');
    expect(c.labour.amount).toBe('42.00');
    expect(c.machine.amount).toBeNull();
    expect(c.machine.lines.map((l) => l.amount)).toEqual(['40.00', null]);
    expect(c.total).toBeNull();
    expect(c.scrap).toEqual({ quantity: '1', share: 0.2, amount: null });
    expect(c.perGoodUnit).toBeNull();
    expect(c.missing).toEqual([{ field: 'equipment.hourlyRate', id: 'press', code: 'PRESS-1' }]);
  });

  it('lists a lot without a unit cost and a work center without a labour rate once each', () => {
    const c = workOrderCost({
      ...order,
      materials: order.materials.map((m) => (m.lotCode === 'SH-A' ? { ...m, unitCost: null } : m)),
      // Two operations of one work center without a rate: listed once.
      operations: [
        { ...turning, labourRatePerHour: null },
        { ...turning, operationId: 'op15', seq: 15, labourRatePerHour: null },
      ],
    });
    expect(c.material.amount).toBeNull();
    expect(c.labour.amount).toBeNull();
    expect(c.machine.amount).toBe('80.00');
    expect(c.missing).toEqual([
      { field: 'lot.unitCost', id: 'lot-shaft', code: 'SH-A' },
      { field: 'workCenter.labourRatePerHour', id: 'wc-turn', code: 'TURN' },
    ]);
  });

  it('needs no price for no time: an operation nobody worked on and that never ran costs nothing', () => {
    const c = workOrderCost({
      ...order,
      operations: [
        turning,
        { ...assembly, labourSeconds: '0', machineSeconds: '0', labourRatePerHour: null, hourlyRate: null },
      ],
      goodQty: '0',
      scrapQty: '0',
    });
    expect(c.labour.lines.map((l) => l.seq)).toEqual([10]);
    expect(c.machine.lines.map((l) => l.seq)).toEqual([10]);
    // 45.50 + 30.00 + 40.00; nothing made yet: no scrap share, no cost per unit.
    expect(c.total).toBe('115.50');
    expect(c.scrap).toEqual({ quantity: '0', share: null, amount: '0.00' });
    expect(c.perGoodUnit).toBeNull();
    expect(c.missing).toEqual([]);
  });

  it('keeps amounts exact until they are shown', () => {
    // 1000 s of labour = 0.277 7… h: × 60 = 16.666… → 16.67 (not 0.2778 × 60 = 16.668 → 16.67 by luck);
    // three such operations: 50.00 exactly (3 × 16 2/3), not 3 × 16.67 = 50.01.
    const op = { ...turning, labourSeconds: '1000', machineSeconds: '0' };
    const c = workOrderCost({
      materials: [],
      operations: [op, { ...op, operationId: 'b', seq: 20 }, { ...op, operationId: 'c', seq: 30 }],
      goodQty: '3',
      scrapQty: '0',
    });
    expect(c.labour.lines.map((l) => [l.hours, l.amount])).toEqual([
      ['0.2778', '16.67'],
      ['0.2778', '16.67'],
      ['0.2778', '16.67'],
    ]);
    expect(c.labour).toMatchObject({ hours: '0.8333', amount: '50.00' });
    expect(c.total).toBe('50.00');
    expect(c.perGoodUnit).toBe('16.6667');
  });
});
