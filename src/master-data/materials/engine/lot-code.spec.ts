import {
  DEFAULT_LOT_CODE_PATTERN,
  LOT_CODE_MAX_LENGTH,
  formatLotCode,
  lotCodeSequenceScope,
  validateLotCodePattern,
  type LotCodeInput,
} from './lot-code';

/** Gearbox GB-100 finished on order WO-000123 at plant PLT1 on 14 March 2025 (site-local). */
const gearbox: LotCodeInput = {
  pattern: DEFAULT_LOT_CODE_PATTERN,
  materialCode: 'GB-100',
  workOrderCode: 'WO-000123',
  siteCode: 'PLT1',
  date: { year: 2025, month: 3, day: 14 },
  sequence: 7,
};

describe('formatLotCode', () => {
  it.each`
    situation                                                 | change                                                                      | code
    ${'the default pattern: material, day, 3-digit sequence'} | ${{}}                                                                       | ${'GB-100-250314-007'}
    ${'the 1000th lot of the day outgrows the padding'}       | ${{ sequence: 1234 }}                                                       | ${'GB-100-250314-1234'}
    ${'a heat-treatment furnace batch per site and day'}      | ${{ pattern: 'HT-{SITE}-{YYYYMMDD}-{SEQ:2}', sequence: 3 }}                 | ${'HT-PLT1-20250314-03'}
    ${'a lot per work order, unpadded sequence'}              | ${{ pattern: '{WO}/{SEQ}', sequence: 1 }}                                   | ${'WO-000123/1'}
    ${'every date part separately'}                           | ${{ pattern: '{YYYY}.{MM}.{DD} {YY} #{SEQ:1}' }}                            | ${'2025.03.14 25 #7'}
    ${'single-digit month and day are zero-padded'}           | ${{ pattern: '{YYMMDD}{SEQ:4}', date: { year: 2026, month: 1, day: 5 } }}   | ${'2601050007'}
    ${'a year in the 2000s keeps the leading zero in YY'}     | ${{ pattern: '{YY}{SEQ:9}', date: { year: 2005, month: 6, day: 1 } }}       | ${'05000000007'}
    ${'the turn of the century'}                              | ${{ pattern: '{YY}-{SEQ}', date: { year: 2000, month: 1, day: 1 } }}        | ${'00-7'}
    ${'a leap day'}                                           | ${{ pattern: '{YYYYMMDD}-{SEQ}', date: { year: 2024, month: 2, day: 29 } }} | ${'20240229-7'}
    ${'literal text around every token, sequence first'}      | ${{ pattern: '{SEQ:3}@{SITE}/{MAT}:{WO}' }}                                 | ${'007@PLT1/GB-100:WO-000123'}
    ${'sequence 0 from a counter starting at zero'}           | ${{ sequence: 0 }}                                                          | ${'GB-100-250314-000'}
  `('$situation → $code', ({ change, code }: { change: Partial<LotCodeInput>; code: string }) => {
    expect(formatLotCode({ ...gearbox, ...change })).toBe(code);
  });

  it('does not truncate a code that outgrows the lot code length: the caller must refuse it', () => {
    const long = 'X'.repeat(40);
    const code = formatLotCode({
      ...gearbox,
      pattern: '{MAT}-{WO}-{SEQ}',
      materialCode: long,
      workOrderCode: long,
    });
    expect(code).toBe(`${long}-${long}-7`);
    expect(code.length).toBeGreaterThan(LOT_CODE_MAX_LENGTH);
  });

  it.each`
    situation                              | change                                         | message
    ${'a pattern without a sequence'}      | ${{ pattern: '{MAT}-{YYMMDD}' }}               | ${'A lot code pattern must contain a {SEQ} or {SEQ:n} token'}
    ${'a pattern with an unknown token'}   | ${{ pattern: '{MAT}-{BATCH}-{SEQ}' }}          | ${/^Unknown token \{BATCH\}/}
    ${'29 February in a common year'}      | ${{ date: { year: 2025, month: 2, day: 29 } }} | ${'Not a calendar date: 2025-2-29'}
    ${'month 13 from a broken conversion'} | ${{ date: { year: 2025, month: 13, day: 1 } }} | ${'Not a calendar date: 2025-13-1'}
    ${'a negative sequence'}               | ${{ sequence: -1 }}                            | ${'A lot sequence must be a non-negative integer, got -1'}
    ${'a fractional sequence'}             | ${{ sequence: 1.5 }}                           | ${'A lot sequence must be a non-negative integer, got 1.5'}
  `(
    'throws a RangeError for $situation',
    ({ change, message }: { change: Partial<LotCodeInput>; message: string | RegExp }) => {
      expect(() => formatLotCode({ ...gearbox, ...change })).toThrow(RangeError);
      expect(() => formatLotCode({ ...gearbox, ...change })).toThrow(message);
    },
  );
});

describe('validateLotCodePattern (checked when a site configures its pattern)', () => {
  it.each`
    situation                           | pattern
    ${'the default pattern'}            | ${DEFAULT_LOT_CODE_PATTERN}
    ${'a heat-treatment batch pattern'} | ${'HT-{SITE}-{YYYYMMDD}-{SEQ:2}'}
    ${'a bare global sequence'}         | ${'{SEQ}'}
    ${'the widest sequence padding'}    | ${'{WO}-{SEQ:9}'}
    ${'every token at once'}            | ${'{MAT}{WO}{SITE}{YYYY}{YY}{MM}{DD}{YYMMDD}{YYYYMMDD}{SEQ}'}
    ${'exactly 64 characters'}          | ${'L'.repeat(59) + '{SEQ}'}
  `('accepts $situation', ({ pattern }: { pattern: string }) => {
    expect(validateLotCodePattern(pattern)).toBeNull();
  });

  it.each`
    situation                                           | pattern                     | message
    ${'an empty pattern'}                               | ${''}                       | ${'A lot code pattern must contain a {SEQ} or {SEQ:n} token'}
    ${'a pattern without a sequence (duplicate codes)'} | ${'{MAT}-{YYMMDD}'}         | ${'A lot code pattern must contain a {SEQ} or {SEQ:n} token'}
    ${'65 characters'}                                  | ${'L'.repeat(60) + '{SEQ}'} | ${'A lot code pattern may have at most 64 characters, this one has 65'}
    ${'an unclosed brace'}                              | ${'{MAT-{SEQ}'}             | ${"The '{' at position 1 of the lot code pattern is not closed"}
    ${'a brace left open at the end'}                   | ${'{MAT}-{SEQ'}             | ${"The '{' at position 7 of the lot code pattern is not closed"}
    ${'a stray closing brace'}                          | ${'MAT}-{SEQ}'}             | ${"The '}' at position 4 of the lot code pattern has no '{'"}
    ${'a sequence width of 0'}                          | ${'{MAT}-{SEQ:0}'}          | ${'The sequence width in {SEQ:0} must be 1 to 9'}
    ${'a sequence width of 10'}                         | ${'{MAT}-{SEQ:10}'}         | ${'The sequence width in {SEQ:10} must be 1 to 9'}
    ${'a lower-case token'}                             | ${'{mat}-{SEQ}'}            | ${'Unknown token {mat} in the lot code pattern; use {MAT}, {WO}, {SITE}, {YYYY}, {YY}, {MM}, {DD}, {YYMMDD}, {YYYYMMDD}, {SEQ}, {SEQ:n}'}
    ${'an empty token'}                                 | ${'{}-{SEQ}'}               | ${'Unknown token {} in the lot code pattern; use {MAT}, {WO}, {SITE}, {YYYY}, {YY}, {MM}, {DD}, {YYMMDD}, {YYYYMMDD}, {SEQ}, {SEQ:n}'}
    ${'a sequence without a width after the colon'}     | ${'{SEQ:}'}                 | ${'Unknown token {SEQ:} in the lot code pattern; use {MAT}, {WO}, {SITE}, {YYYY}, {YY}, {MM}, {DD}, {YYMMDD}, {YYYYMMDD}, {SEQ}, {SEQ:n}'}
    ${'a furnace token another system uses'}            | ${'{FURNACE}-{SEQ}'}        | ${'Unknown token {FURNACE} in the lot code pattern; use {MAT}, {WO}, {SITE}, {YYYY}, {YY}, {MM}, {DD}, {YYMMDD}, {YYYYMMDD}, {SEQ}, {SEQ:n}'}
  `('refuses $situation', ({ pattern, message }: { pattern: string; message: string }) => {
    expect(validateLotCodePattern(pattern)).toBe(message);
  });
});

describe('lotCodeSequenceScope (what the sequence restarts per)', () => {
  it.each`
    situation                                            | pattern                           | scope
    ${'the default pattern restarts daily per material'} | ${DEFAULT_LOT_CODE_PATTERN}       | ${'GB-100-250314-{SEQ}'}
    ${'a per-work-order pattern restarts per order'}     | ${'{WO}-{SEQ}'}                   | ${'WO-000123-{SEQ}'}
    ${'a heat-treatment batch restarts daily per site'}  | ${'HT-{SITE}-{YYYYMMDD}-{SEQ:2}'} | ${'HT-PLT1-20250314-{SEQ}'}
    ${'a monthly sequence per material'}                 | ${'{MAT}/{YYYY}{MM}/{SEQ:4}'}     | ${'GB-100/202503/{SEQ}'}
    ${'a bare sequence never restarts'}                  | ${'{SEQ:6}'}                      | ${'{SEQ}'}
  `('$situation: $scope', ({ pattern, scope }: { pattern: string; scope: string }) => {
    const { pattern: _p, sequence: _s, ...rest } = gearbox;
    expect(lotCodeSequenceScope(pattern, rest)).toBe(scope);
  });

  it('a new day and another material each start their own sequence', () => {
    const { pattern: _p, sequence: _s, ...today } = gearbox;
    const scopes = new Set([
      lotCodeSequenceScope(DEFAULT_LOT_CODE_PATTERN, today),
      lotCodeSequenceScope(DEFAULT_LOT_CODE_PATTERN, { ...today, date: { year: 2025, month: 3, day: 15 } }),
      lotCodeSequenceScope(DEFAULT_LOT_CODE_PATTERN, { ...today, materialCode: 'GB-200' }),
      // Another order of the same material on the same day continues the same sequence.
      lotCodeSequenceScope(DEFAULT_LOT_CODE_PATTERN, { ...today, workOrderCode: 'WO-000124' }),
    ]);
    expect(scopes.size).toBe(3);
  });

  it('two inputs that would print the same codes share one sequence, so no code is issued twice', () => {
    const { pattern: _p, sequence: _s, ...base } = gearbox;
    const a = { ...base, materialCode: 'A-B', workOrderCode: 'C' };
    const b = { ...base, materialCode: 'A', workOrderCode: 'B-C' };
    expect(lotCodeSequenceScope('{MAT}-{WO}-{SEQ}', a)).toBe(lotCodeSequenceScope('{MAT}-{WO}-{SEQ}', b));
    expect(formatLotCode({ ...a, pattern: '{MAT}-{WO}-{SEQ}', sequence: 1 })).toBe(
      formatLotCode({ ...b, pattern: '{MAT}-{WO}-{SEQ}', sequence: 1 }),
    );
  });

  it('throws a RangeError for an invalid pattern', () => {
    const { pattern: _p, sequence: _s, ...rest } = gearbox;
    expect(() => lotCodeSequenceScope('{MAT}-{YYMMDD}', rest)).toThrow(RangeError);
  });
});
