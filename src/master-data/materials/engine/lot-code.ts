/**
 * Lot codes from a configurable pattern such as `{MAT}-{YYMMDD}-{SEQ:3}` → "GB-100-250314-007".
 * Pure (no framework, no I/O, no clock): the site-local date and the sequence number come in as arguments.
 *
 * Tokens: {MAT} material code, {WO} work order code, {SITE} site code, {YYYY} {YY} {MM} {DD} {YYMMDD}
 * {YYYYMMDD} parts of the date, {SEQ} the sequence number and {SEQ:n} the same zero-padded to n digits
 * (n 1..9; a longer number is printed in full). Text outside braces is kept as it is.
 */

export interface LotCodeInput {
  pattern: string;
  materialCode: string;
  workOrderCode: string;
  siteCode: string;
  /** Site-local date. */
  date: { year: number; month: number; day: number };
  /** Sequence number within the scope (see `lotCodeSequenceScope`), a non-negative integer. */
  sequence: number;
}

export const DEFAULT_LOT_CODE_PATTERN = '{MAT}-{YYMMDD}-{SEQ:3}';

/** Longest pattern accepted (the same as the stored lot code); an expansion may be longer. */
export const LOT_CODE_MAX_LENGTH = 64;

const FIELD_TOKENS = ['MAT', 'WO', 'SITE', 'YYYY', 'YY', 'MM', 'DD', 'YYMMDD', 'YYYYMMDD'] as const;
type FieldToken = (typeof FIELD_TOKENS)[number];

type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'field'; token: FieldToken }
  | { kind: 'seq'; width: number | null };

type Parsed = { ok: true; segments: Segment[] } | { ok: false; message: string };

const isFieldToken = (name: string): name is FieldToken => (FIELD_TOKENS as readonly string[]).includes(name);

const TOKEN_LIST = [...FIELD_TOKENS, 'SEQ', 'SEQ:n'].map((t) => `{${t}}`).join(', ');

function parseToken(name: string): Segment | string {
  if (isFieldToken(name)) {
    return { kind: 'field', token: name };
  }
  if (name === 'SEQ') {
    return { kind: 'seq', width: null };
  }
  const width = /^SEQ:(\d+)$/.exec(name)?.[1];
  if (width !== undefined) {
    // One digit only: a 10-digit zero-padded counter would be a configuration mistake, not a need.
    return /^[1-9]$/.test(width)
      ? { kind: 'seq', width: Number(width) }
      : `The sequence width in {${name}} must be 1 to 9`;
  }
  return `Unknown token {${name}} in the lot code pattern; use ${TOKEN_LIST}`;
}

function parsePattern(pattern: string): Parsed {
  const segments: Segment[] = [];
  let text = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '}') {
      return { ok: false, message: `The '}' at position ${i + 1} of the lot code pattern has no '{'` };
    }
    if (ch !== '{') {
      text += ch;
      i += 1;
      continue;
    }
    const close = pattern.indexOf('}', i + 1);
    const nested = pattern.indexOf('{', i + 1);
    if (close === -1 || (nested !== -1 && nested < close)) {
      return { ok: false, message: `The '{' at position ${i + 1} of the lot code pattern is not closed` };
    }
    const token = parseToken(pattern.slice(i + 1, close));
    if (typeof token === 'string') {
      return { ok: false, message: token };
    }
    if (text !== '') {
      segments.push({ kind: 'text', text });
      text = '';
    }
    segments.push(token);
    i = close + 1;
  }
  if (text !== '') {
    segments.push({ kind: 'text', text });
  }
  return { ok: true, segments };
}

/** Null when `pattern` is usable, else an English message saying what is wrong with it. */
export function validateLotCodePattern(pattern: string): string | null {
  if (pattern.length > LOT_CODE_MAX_LENGTH) {
    return `A lot code pattern may have at most ${LOT_CODE_MAX_LENGTH} characters, this one has ${pattern.length}`;
  }
  const parsed = parsePattern(pattern);
  if (!parsed.ok) {
    return parsed.message;
  }
  // Without a sequence two lots of the same day and material would get the same code.
  if (!parsed.segments.some((segment) => segment.kind === 'seq')) {
    return 'A lot code pattern must contain a {SEQ} or {SEQ:n} token';
  }
  return null;
}

function segmentsOf(pattern: string): Segment[] {
  const problem = validateLotCodePattern(pattern);
  if (problem !== null) {
    throw new RangeError(problem);
  }
  const parsed = parsePattern(pattern);
  // Unreachable after validation; keeps the type narrowing honest.
  if (!parsed.ok) {
    throw new RangeError(parsed.message);
  }
  return parsed.segments;
}

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function checkDate({ year, month, day }: LotCodeInput['date']): void {
  const monthDays = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const ok =
    Number.isInteger(year) &&
    year >= 1 &&
    year <= 9999 &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12 &&
    Number.isInteger(day) &&
    day >= 1 &&
    day <= (monthDays[month - 1] ?? 0);
  if (!ok) {
    throw new RangeError(`Not a calendar date: ${year}-${month}-${day}`);
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function fieldValue(token: FieldToken, input: Omit<LotCodeInput, 'sequence' | 'pattern'>): string {
  const { year, month, day } = input.date;
  switch (token) {
    case 'MAT':
      return input.materialCode;
    case 'WO':
      return input.workOrderCode;
    case 'SITE':
      return input.siteCode;
    case 'YYYY':
      return pad(year, 4);
    case 'YY':
      return pad(year % 100, 2);
    case 'MM':
      return pad(month, 2);
    case 'DD':
      return pad(day, 2);
    case 'YYMMDD':
      return pad(year % 100, 2) + pad(month, 2) + pad(day, 2);
    case 'YYYYMMDD':
      return pad(year, 4) + pad(month, 2) + pad(day, 2);
  }
}

function expand(
  segments: Segment[],
  input: Omit<LotCodeInput, 'sequence' | 'pattern'>,
  seq: (width: number | null) => string,
): string {
  checkDate(input.date);
  return segments
    .map((segment) => {
      switch (segment.kind) {
        case 'text':
          return segment.text;
        case 'field':
          return fieldValue(segment.token, input);
        case 'seq':
          return seq(segment.width);
      }
    })
    .join('');
}

/**
 * The lot code for `input`. Not truncated: with long material or order codes it may exceed
 * `LOT_CODE_MAX_LENGTH`, which the caller must refuse rather than store a cut (possibly duplicate) code.
 * Throws a `RangeError` for an invalid pattern, date or sequence.
 */
export function formatLotCode(input: LotCodeInput): string {
  const segments = segmentsOf(input.pattern);
  if (!Number.isSafeInteger(input.sequence) || input.sequence < 0) {
    throw new RangeError(`A lot sequence must be a non-negative integer, got ${input.sequence}`);
  }
  const sequence = String(input.sequence);
  return expand(segments, input, (width) => (width === null ? sequence : sequence.padStart(width, '0')));
}

/**
 * The key sequences restart per: the pattern with every non-sequence token expanded and each sequence
 * token written as the literal `{SEQ}` ("GB-100-250314-{SEQ}" for the default pattern: daily per material).
 * Keyed on the expansion rather than on the inputs, so two inputs that would print the same codes
 * share one counter and can never produce the same lot code twice.
 * Throws a `RangeError` for an invalid pattern or date.
 */
export function lotCodeSequenceScope(
  pattern: string,
  input: Omit<LotCodeInput, 'sequence' | 'pattern'>,
): string {
  return expand(segmentsOf(pattern), input, () => '{SEQ}');
}
