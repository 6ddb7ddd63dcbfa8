/**
 * Bill-of-materials explosion and cycle detection: a pure engine (no framework, no I/O, no clock).
 *
 * Quantities are decimal strings in and out and are computed exactly (see `decimal.ts`): every line is
 * computed from the EXACT gross quantity of its parent, and only the reported values are rounded
 * (6 fraction digits, half up). Scrap therefore compounds down the levels: a sub-assembly's children are
 * sized for its gross quantity, which is what has to be produced.
 */
import {
  ONE,
  ZERO,
  add,
  compare,
  divide,
  formatExact,
  formatFixed,
  isDecimalString,
  multiply,
  parseDecimal,
  type Rational,
} from '../../../platform/engine/decimal';

export interface BomLineInput {
  /** Order within the BOM. */
  lineNo: number;
  /** Material id of the component. */
  componentId: string;
  /** Decimal string > 0: component quantity per `baseQuantity` of the parent. */
  quantityPer: string;
  /** Decimal string >= 0 and < 1, e.g. "0.05" = 5 % extra for losses. */
  scrapFactor: string;
  issueMethod: 'manual' | 'backflush';
  /** Routing operation where the component is consumed. */
  operationSeq: number | null;
}

export interface BomInput {
  bomId: string;
  /** The parent. */
  materialId: string;
  /** Decimal string > 0: line quantities are "per baseQuantity of the parent". */
  baseQuantity: string;
  lines: BomLineInput[];
}

export interface ExplodedLine {
  /** 1 = direct components of the root. */
  level: number;
  /** Material ids from the root to this component (inclusive). */
  path: string[];
  parentId: string;
  componentId: string;
  /** The BOM the line comes from. */
  bomId: string;
  lineNo: number;
  quantityPer: string;
  scrapFactor: string;
  issueMethod: 'manual' | 'backflush';
  operationSeq: number | null;
  /** parentGross / baseQuantity × quantityPer (6 decimals). */
  netQuantity: string;
  /** netQuantity × (1 + scrapFactor) (6 decimals). */
  grossQuantity: string;
  /** The component has its own BOM (and was exploded further). */
  hasBom: boolean;
}

export interface ExplosionTotal {
  materialId: string;
  grossQuantity: string;
  /** No BOM of its own (purchased / leaf item). */
  leaf: boolean;
}

export interface ExplosionResult {
  rootId: string;
  /** The requested root quantity, normalised. */
  quantity: string;
  /** Depth-first, in lineNo order (an indented BOM). */
  lines: ExplodedLine[];
  /** Summed per component over all levels, sorted by materialId. */
  totals: ExplosionTotal[];
}

export interface ExplosionOptions {
  /** Deepest level allowed (default 25); a line below it throws `BomDepthError`. */
  maxDepth?: number;
}

/** Fraction digits of every computed quantity in the output. */
export const QUANTITY_PLACES = 6;
export const DEFAULT_MAX_DEPTH = 25;

/** Thrown by `explodeBom` when a material (transitively) contains itself. */
export class BomCycleError extends Error {
  /** `cycle` is [a, b, ..., a]: the material met again, the materials in between, and it again. */
  constructor(readonly cycle: string[]) {
    super(`BOM cycle: ${cycle.join(' → ')}`);
    this.name = 'BomCycleError';
  }
}

/** Thrown by `explodeBom` when the structure is deeper than `maxDepth` levels. */
export class BomDepthError extends Error {
  /** `path` is the material path (root first) of the first line below `maxDepth`. */
  constructor(
    readonly maxDepth: number,
    readonly path: string[] = [],
  ) {
    super(`BOM structure deeper than ${maxDepth} levels` + (path.length > 0 ? `: ${path.join(' → ')}` : ''));
    this.name = 'BomDepthError';
  }
}

/** Thrown for malformed input: bad decimal strings, out-of-range quantities, a BOM for the wrong material. */
export class BomInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BomInputError';
  }
}

interface ParsedLine {
  line: BomLineInput;
  quantityPer: Rational;
  scrapFactor: Rational;
  /** 1 + scrapFactor. */
  scrapMultiplier: Rational;
}

interface ParsedBom {
  bom: BomInput;
  baseQuantity: Rational;
  /** Sorted by lineNo (stable: equal numbers keep their input order). */
  lines: ParsedLine[];
}

/** Quantity echoes: 6 fraction digits, more only if the input had more (never silently rounded). */
const echo = (value: Rational): string => formatExact(value, QUANTITY_PLACES);
const out = (value: Rational): string => formatFixed(value, QUANTITY_PLACES);

function decimalField(where: string, field: string, text: unknown): Rational {
  if (!isDecimalString(text)) {
    throw new BomInputError(`${where}: ${field} is not a decimal number: ${JSON.stringify(text)}`);
  }
  return parseDecimal(text);
}

function parseBom(materialId: string, bom: BomInput): ParsedBom {
  const where = `BOM ${JSON.stringify(bom.bomId)} of material ${JSON.stringify(bom.materialId)}`;
  if (bom.materialId !== materialId) {
    throw new BomInputError(`${where} was returned for material ${JSON.stringify(materialId)}`);
  }
  const baseQuantity = decimalField(where, 'baseQuantity', bom.baseQuantity);
  if (compare(baseQuantity, ZERO) <= 0) {
    throw new BomInputError(`${where}: baseQuantity must be > 0, got ${JSON.stringify(bom.baseQuantity)}`);
  }
  const lines = bom.lines.map((line): ParsedLine => {
    const at = `${where}, line ${line.lineNo} (component ${JSON.stringify(line.componentId)})`;
    if (!Number.isSafeInteger(line.lineNo)) {
      throw new BomInputError(`${at}: lineNo must be an integer`);
    }
    if (typeof line.componentId !== 'string' || line.componentId === '') {
      throw new BomInputError(`${at}: componentId is empty`);
    }
    const quantityPer = decimalField(at, 'quantityPer', line.quantityPer);
    if (compare(quantityPer, ZERO) <= 0) {
      throw new BomInputError(`${at}: quantityPer must be > 0, got ${JSON.stringify(line.quantityPer)}`);
    }
    const scrap = decimalField(at, 'scrapFactor', line.scrapFactor);
    if (compare(scrap, ZERO) < 0 || compare(scrap, ONE) >= 0) {
      throw new BomInputError(
        `${at}: scrapFactor must be >= 0 and < 1, got ${JSON.stringify(line.scrapFactor)}`,
      );
    }
    return { line, quantityPer, scrapFactor: scrap, scrapMultiplier: add(ONE, scrap) };
  });
  lines.sort((a, b) => a.line.lineNo - b.line.lineNo);
  return { bom, baseQuantity, lines };
}

/**
 * Explodes the BOM of `rootId` for `quantity` (a decimal string >= 0; 0 gives all-zero quantities).
 *
 * `bomOf` returns the BOM to use for a material (the caller picks the version valid at a date), or
 * undefined for a purchased/leaf item; it is asked at most once per material. A root without a BOM gives
 * no lines and no totals. Each BOM is validated when first used (`BomInputError`). Totals cover every
 * component (sub-assemblies with `leaf: false` included, the root excluded), are summed exactly and
 * rounded at the end, and are sorted by materialId in code-unit order (locale independent).
 *
 * @throws BomCycleError when a material (transitively) contains itself.
 * @throws BomDepthError when a line would be below `maxDepth` (default 25).
 * @throws BomInputError for malformed input.
 */
export function explodeBom(
  rootId: string,
  quantity: string,
  bomOf: (materialId: string) => BomInput | undefined,
  options?: ExplosionOptions,
): ExplosionResult {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) {
    throw new BomInputError(`maxDepth must be an integer >= 1, got ${maxDepth}`);
  }
  const rootQuantity = decimalField(`Explosion of ${JSON.stringify(rootId)}`, 'quantity', quantity);
  if (compare(rootQuantity, ZERO) < 0) {
    throw new BomInputError(`Explosion of ${JSON.stringify(rootId)}: quantity must be >= 0, got ${quantity}`);
  }

  const boms = new Map<string, ParsedBom | undefined>();
  const bomFor = (materialId: string): ParsedBom | undefined => {
    if (!boms.has(materialId)) {
      const bom = bomOf(materialId);
      boms.set(materialId, bom === undefined ? undefined : parseBom(materialId, bom));
    }
    return boms.get(materialId);
  };

  const lines: ExplodedLine[] = [];
  const totals = new Map<string, { gross: Rational; leaf: boolean }>();

  /** `path` ends with `parent`; `parentGross` is exact. */
  const explode = (parent: ParsedBom, path: string[], parentGross: Rational): void => {
    const perBase = divide(parentGross, parent.baseQuantity);
    for (const { line, quantityPer, scrapFactor, scrapMultiplier } of parent.lines) {
      const componentPath = [...path, line.componentId];
      const seenAt = path.indexOf(line.componentId);
      if (seenAt >= 0) {
        throw new BomCycleError(componentPath.slice(seenAt));
      }
      const level = path.length;
      if (level > maxDepth) {
        throw new BomDepthError(maxDepth, componentPath);
      }
      const net = multiply(perBase, quantityPer);
      const gross = multiply(net, scrapMultiplier);
      const childBom = bomFor(line.componentId);
      lines.push({
        level,
        path: componentPath,
        parentId: parent.bom.materialId,
        componentId: line.componentId,
        bomId: parent.bom.bomId,
        lineNo: line.lineNo,
        quantityPer: echo(quantityPer),
        scrapFactor: echo(scrapFactor),
        issueMethod: line.issueMethod,
        operationSeq: line.operationSeq,
        netQuantity: out(net),
        grossQuantity: out(gross),
        hasBom: childBom !== undefined,
      });
      const total = totals.get(line.componentId);
      totals.set(line.componentId, {
        gross: total === undefined ? gross : add(total.gross, gross),
        leaf: childBom === undefined,
      });
      if (childBom !== undefined) {
        explode(childBom, componentPath, gross);
      }
    }
  };

  const rootBom = bomFor(rootId);
  if (rootBom !== undefined) {
    explode(rootBom, [rootId], rootQuantity);
  }

  return {
    rootId,
    quantity: echo(rootQuantity),
    lines,
    totals: [...totals.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([materialId, { gross, leaf }]) => ({ materialId, grossQuantity: out(gross), leaf })),
  };
}

/**
 * Finds a cycle in a BOM graph (`edges`: parent material → its component materials), e.g. to check a
 * BOM before saving it: put the edited BOM's edges into the map and look for a cycle from its parent.
 *
 * Returns the cycle as [a, b, ..., a] (a self-reference is [a, a]), or undefined when there is none.
 * With `start`, only cycles reachable from `start` are looked for, and a cycle through `start` is returned
 * beginning at `start`; without it, every material of the map is a starting point (in map order).
 * Materials that appear only as components have no components themselves. Iterative, so deep
 * structures do not overflow the call stack.
 */
export function findBomCycle(
  edges: ReadonlyMap<string, readonly string[]>,
  start?: string,
): string[] | undefined {
  const done = new Set<string>();
  const starts = start === undefined ? [...edges.keys()] : [start];
  for (const root of starts) {
    if (done.has(root)) {
      continue;
    }
    // Depth-first: `stack` holds the current path with the index of the next component to visit.
    const stack: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    const onPath = new Map<string, number>([[root, 0]]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = edges.get(top.node) ?? [];
      if (top.next >= children.length) {
        stack.pop();
        onPath.delete(top.node);
        done.add(top.node);
        continue;
      }
      const child = children[top.next]!;
      top.next += 1;
      const at = onPath.get(child);
      if (at !== undefined) {
        const cycle = [...stack.slice(at).map((frame) => frame.node), child];
        return rotateTo(cycle, start);
      }
      if (!done.has(child)) {
        onPath.set(child, stack.length);
        stack.push({ node: child, next: 0 });
      }
    }
  }
  return undefined;
}

/** [b, c, a, b] rotated to start at a: [a, b, c, a] (unchanged if `start` is not on the cycle). */
function rotateTo(cycle: string[], start: string | undefined): string[] {
  const ring = cycle.slice(0, -1);
  const at = start === undefined ? -1 : ring.indexOf(start);
  if (at <= 0) {
    return cycle;
  }
  const rotated = [...ring.slice(at), ...ring.slice(0, at)];
  return [...rotated, rotated[0]!];
}
