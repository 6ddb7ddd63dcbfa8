import { normalCdf } from './constants';

export interface SpecLimits {
  lsl?: number;
  usl?: number;
  target?: number;
}

/**
 * Process capability. Within-subgroup indices (Cp, Cpl, Cpu, Cpk, Cpm) use the chart's sigma; performance
 * indices (Pp, Ppl, Ppu, Ppk, Ppm) use the overall sample standard deviation (n − 1 divisor) of the observations.
 * Cpm = Cp / sqrt(1 + ((mean − T)/σ_within)²) as in qcc processCapability() (Ppm likewise with σ_overall).
 * The target defaults to the middle of the specification. Indices needing a missing limit are left out.
 */
export interface Capability {
  lsl?: number;
  usl?: number;
  target?: number;
  mean: number;
  sigmaWithin: number;
  sigmaOverall: number;
  observations: number;
  cp?: number;
  cpl?: number;
  cpu?: number;
  cpk: number;
  cpm?: number;
  pp?: number;
  ppl?: number;
  ppu?: number;
  ppk: number;
  ppm?: number;
  /** fractions (0..1) of a normal process with the within sigma, and of the observations, outside the limits */
  expectedBelowLsl?: number;
  expectedAboveUsl?: number;
  observedBelowLsl?: number;
  observedAboveUsl?: number;
}

export function computeCapability(
  spec: SpecLimits,
  mean: number,
  sigmaWithin: number,
  observations: readonly number[],
): Capability {
  const m = observations.length;
  const overallMean = observations.reduce((a, b) => a + b, 0) / m;
  const sigmaOverall = Math.sqrt(observations.reduce((a, x) => a + (x - overallMean) ** 2, 0) / (m - 1));
  const { lsl, usl } = spec;
  const twoSided = lsl !== undefined && usl !== undefined;
  const target = spec.target ?? (twoSided ? (lsl + usl) / 2 : undefined);

  const indices = (sigma: number) => {
    const lower = lsl === undefined ? undefined : (mean - lsl) / (3 * sigma);
    const upper = usl === undefined ? undefined : (usl - mean) / (3 * sigma);
    const whole = twoSided ? (usl - lsl) / (6 * sigma) : undefined;
    const k = Math.min(lower ?? Infinity, upper ?? Infinity);
    const tm =
      whole !== undefined && target !== undefined
        ? whole / Math.sqrt(1 + ((mean - target) / sigma) ** 2)
        : undefined;
    return { whole, lower, upper, k, tm };
  };
  const within = indices(sigmaWithin);
  const overall = indices(sigmaOverall);

  const result: Capability = {
    mean,
    sigmaWithin,
    sigmaOverall,
    observations: m,
    cpk: within.k,
    ppk: overall.k,
  };
  if (lsl !== undefined) {
    result.lsl = lsl;
    result.cpl = within.lower;
    result.ppl = overall.lower;
    result.expectedBelowLsl = normalCdf((lsl - mean) / sigmaWithin);
    result.observedBelowLsl = observations.filter((x) => x < lsl).length / m;
  }
  if (usl !== undefined) {
    result.usl = usl;
    result.cpu = within.upper;
    result.ppu = overall.upper;
    result.expectedAboveUsl = 1 - normalCdf((usl - mean) / sigmaWithin);
    result.observedAboveUsl = observations.filter((x) => x > usl).length / m;
  }
  if (target !== undefined) result.target = target;
  if (within.whole !== undefined) {
    result.cp = within.whole;
    result.pp = overall.whole;
  }
  if (within.tm !== undefined) {
    result.cpm = within.tm;
    result.ppm = overall.tm;
  }
  return result;
}
