import { compare, parseDecimal } from '../../platform/engine/decimal';
import type { AttributeType, CharacteristicKind } from '../plans/inspection-plan.entity';

/** What judging a sample needs of a characteristic. */
export interface JudgedCharacteristic {
  id: string;
  code: string;
  kind: CharacteristicKind;
  attributeType: AttributeType | null;
  lsl: string | null;
  usl: string | null;
}

/** One recorded sample: exactly one of value, passed, defectCount is set. */
export interface JudgedResult {
  characteristicId: string;
  sampleNo: number;
  value: string | null;
  passed: boolean | null;
  defectCount: number | null;
  defectCodes: string[];
}

export type FindingKind = 'below_lsl' | 'above_usl' | 'failed' | 'defects';

/** A sample that does not conform: a value outside its spec limits, a failed check, or defects found. */
export interface Finding {
  characteristicId: string;
  characteristicCode: string;
  sampleNo: number;
  kind: FindingKind;
  message: string;
}

/** The nonconformity of one sample, if any (limits inclusive: a value equal to LSL or USL conforms). */
export function judgeSample(c: JudgedCharacteristic, r: JudgedResult): Finding | null {
  const finding = (kind: FindingKind, message: string): Finding => ({
    characteristicId: c.id,
    characteristicCode: c.code,
    sampleNo: r.sampleNo,
    kind,
    message,
  });
  if (r.value !== null) {
    const value = parseDecimal(r.value);
    if (c.lsl !== null && compare(value, parseDecimal(c.lsl)) < 0)
      return finding('below_lsl', `${c.code} sample ${r.sampleNo}: ${r.value} is below LSL ${c.lsl}`);
    if (c.usl !== null && compare(value, parseDecimal(c.usl)) > 0)
      return finding('above_usl', `${c.code} sample ${r.sampleNo}: ${r.value} is above USL ${c.usl}`);
    return null;
  }
  if (r.passed === false) return finding('failed', `${c.code} sample ${r.sampleNo} failed`);
  if (r.defectCount !== null && r.defectCount > 0) {
    const codes = r.defectCodes.length > 0 ? ` (${r.defectCodes.join(', ')})` : '';
    return finding('defects', `${c.code} sample ${r.sampleNo}: ${r.defectCount} defect(s)${codes}`);
  }
  return null;
}

/** Every nonconforming sample, in characteristic then sample order. */
export function findingsOf(characteristics: JudgedCharacteristic[], results: JudgedResult[]): Finding[] {
  const out: Finding[] = [];
  for (const c of characteristics) {
    const own = results.filter((r) => r.characteristicId === c.id).sort((a, b) => a.sampleNo - b.sampleNo);
    for (const r of own) {
      const f = judgeSample(c, r);
      if (f) out.push(f);
    }
  }
  return out;
}

/**
 * What the results say: `fail` as soon as one sample does not conform, `pass` when some were recorded and all
 * conform (even if not every sample was taken yet), null before anything was recorded.
 */
export function suggestedOutcome(
  characteristics: JudgedCharacteristic[],
  results: JudgedResult[],
): 'pass' | 'fail' | null {
  if (results.length === 0) return null;
  return findingsOf(characteristics, results).length > 0 ? 'fail' : 'pass';
}

/** The defect codes found on any sample, each once, in the order first met. */
export function defectCodesFound(results: JudgedResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.defectCodes))];
}
