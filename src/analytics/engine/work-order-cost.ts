/**
 * The end-to-end cost of a work order ("true cost per order"), from what the shop floor recorded:
 *
 *   material  Σ over lots issued to the order (net of returns): quantity × the lot's unit cost
 *   labour    Σ over operations: operator labour hours (sign-on to sign-off) × the work center's labour rate
 *   machine   Σ over operations: hours the operation ran on its machine (pauses left out) × the machine's rate
 *   total     material + labour + machine
 *   scrap     the part of the total spent on scrapped units: total × S / (G + S), where S is the scrap
 *             reported at any operation and G the good quantity of the last one (a share, not added to the total)
 *   per good unit   total / G
 *
 * A figure whose price is not known (a lot without a unit cost, a work center without a labour rate, a machine
 * without an hourly rate) is null, as is every figure built on it, and the missing price is listed — never
 * counted as 0. Hours or quantities of zero need no price. Amounts are exact until formatted: money with 2
 * places, per good unit with 4, hours with 4 (half up).
 * Pure (no framework, no I/O, no clock).
 */
import {
  add,
  compare,
  divide,
  formatExact,
  formatFixed,
  multiply,
  parseDecimal,
  rational,
  type Rational,
  ZERO,
} from '../../platform/engine/decimal';

export interface MaterialUse {
  lotId: string;
  lotCode: string;
  materialId: string;
  materialCode: string;
  unit: string;
  /** Issued to the order less returned, in the material's base unit. */
  quantity: string;
  /** Per base unit; null when the lot has none. */
  unitCost: string | null;
}

export interface OperationTime {
  operationId: string;
  seq: number;
  name: string;
  workCenterId: string;
  workCenterCode: string;
  /** Operator labour on the operation, in seconds (decimal). */
  labourSeconds: string;
  labourRatePerHour: string | null;
  equipmentId: string | null;
  equipmentCode: string | null;
  /** Time the operation ran on its machine, pauses left out, in seconds (decimal). */
  machineSeconds: string;
  hourlyRate: string | null;
}

export interface CostInput {
  materials: readonly MaterialUse[];
  operations: readonly OperationTime[];
  /** Good quantity of the last operation (the order's output). */
  goodQty: string;
  /** Scrap reported at every operation. */
  scrapQty: string;
}

export type MissingPrice =
  | { field: 'lot.unitCost'; id: string; code: string }
  | { field: 'workCenter.labourRatePerHour'; id: string; code: string }
  | { field: 'equipment.hourlyRate'; id: string; code: string };

export interface WorkOrderCost {
  material: {
    amount: string | null;
    lines: Array<MaterialUse & { amount: string | null }>;
  };
  labour: {
    hours: string;
    amount: string | null;
    lines: Array<{
      operationId: string;
      seq: number;
      name: string;
      workCenterId: string;
      workCenterCode: string;
      hours: string;
      ratePerHour: string | null;
      amount: string | null;
    }>;
  };
  machine: {
    hours: string;
    amount: string | null;
    lines: Array<{
      operationId: string;
      seq: number;
      name: string;
      equipmentId: string;
      equipmentCode: string;
      hours: string;
      ratePerHour: string | null;
      amount: string | null;
    }>;
  };
  total: string | null;
  scrap: {
    quantity: string;
    /** S / (G + S), 4 places; null when no unit was reported. */
    share: number | null;
    amount: string | null;
  };
  perGoodUnit: string | null;
  /** Prices to enter in master data (or at receipt) before the figures above that are null can be given. */
  missing: MissingPrice[];
}

const SECONDS_PER_HOUR = rational(3600n);
const money = (x: Rational | null): string | null => (x === null ? null : formatFixed(x, 2));
const hours = (x: Rational): string => formatFixed(x, 4);
const isZero = (x: Rational): boolean => compare(x, ZERO) === 0;

/** Σ of priced parts; null as soon as one part has no price. */
function sumPriced(parts: ReadonlyArray<Rational | null>): Rational | null {
  let sum = ZERO;
  for (const p of parts) {
    if (p === null) return null;
    sum = add(sum, p);
  }
  return sum;
}

/** amount = quantity × price; no price needed for nothing, none known → null (and the caller lists it). */
function priced(quantity: Rational, price: string | null): Rational | null {
  if (isZero(quantity)) return ZERO;
  return price === null ? null : multiply(quantity, parseDecimal(price));
}

export function workOrderCost(input: CostInput): WorkOrderCost {
  const missing: MissingPrice[] = [];
  const materialLines = input.materials.map((m) => {
    const amount = priced(parseDecimal(m.quantity), m.unitCost);
    if (amount === null) missing.push({ field: 'lot.unitCost', id: m.lotId, code: m.lotCode });
    return { line: { ...m, amount: money(amount) }, amount };
  });

  const labourLines = input.operations
    .map((o) => ({ o, h: divide(parseDecimal(o.labourSeconds), SECONDS_PER_HOUR) }))
    .filter(({ h }) => !isZero(h))
    .map(({ o, h }) => {
      const amount = priced(h, o.labourRatePerHour);
      if (amount === null && !missing.some((x) => x.id === o.workCenterId)) {
        missing.push({ field: 'workCenter.labourRatePerHour', id: o.workCenterId, code: o.workCenterCode });
      }
      return {
        line: {
          operationId: o.operationId,
          seq: o.seq,
          name: o.name,
          workCenterId: o.workCenterId,
          workCenterCode: o.workCenterCode,
          hours: hours(h),
          ratePerHour: o.labourRatePerHour,
          amount: money(amount),
        },
        h,
        amount,
      };
    });

  const machineLines = input.operations
    .map((o) => ({ o, h: divide(parseDecimal(o.machineSeconds), SECONDS_PER_HOUR) }))
    .filter(
      (x): x is { o: OperationTime & { equipmentId: string; equipmentCode: string }; h: Rational } =>
        x.o.equipmentId !== null && x.o.equipmentCode !== null && !isZero(x.h),
    )
    .map(({ o, h }) => {
      const amount = priced(h, o.hourlyRate);
      if (amount === null && !missing.some((x) => x.id === o.equipmentId)) {
        missing.push({ field: 'equipment.hourlyRate', id: o.equipmentId, code: o.equipmentCode });
      }
      return {
        line: {
          operationId: o.operationId,
          seq: o.seq,
          name: o.name,
          equipmentId: o.equipmentId,
          equipmentCode: o.equipmentCode,
          hours: hours(h),
          ratePerHour: o.hourlyRate,
          amount: money(amount),
        },
        h,
        amount,
      };
    });

  const material = sumPriced(materialLines.map((l) => l.amount));
  const labour = sumPriced(labourLines.map((l) => l.amount));
  const machine = sumPriced(machineLines.map((l) => l.amount));
  const total = sumPriced([material, labour, machine]);

  const good = parseDecimal(input.goodQty);
  const scrapQty = parseDecimal(input.scrapQty);
  const units = add(good, scrapQty);
  const share = isZero(units) ? null : divide(scrapQty, units);
  const scrapAmount = total === null ? null : share === null ? ZERO : multiply(total, share);
  const perGoodUnit = total === null || isZero(good) ? null : divide(total, good);

  return {
    material: { amount: money(material), lines: materialLines.map((l) => l.line) },
    labour: {
      hours: hours(labourLines.reduce((s, l) => add(s, l.h), ZERO)),
      amount: money(labour),
      lines: labourLines.map((l) => l.line),
    },
    machine: {
      hours: hours(machineLines.reduce((s, l) => add(s, l.h), ZERO)),
      amount: money(machine),
      lines: machineLines.map((l) => l.line),
    },
    total: money(total),
    scrap: {
      quantity: formatExact(scrapQty),
      share: share === null ? null : Number(formatFixed(share, 4)),
      amount: money(scrapAmount),
    },
    perGoodUnit: perGoodUnit === null ? null : formatFixed(perGoodUnit, 4),
    missing,
  };
}
