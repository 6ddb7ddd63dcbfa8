import { type OperationStatus } from './operation-state';
import { checkReport, maxProcessableQty, type ReportCheckInput } from './reporting-limits';

type Predecessor = { status: OperationStatus; goodQty: string } | null;

/** Final assembly (op 30) of a gearbox order: 100 pcs planned, 2 % over-report tolerance, pieces. */
const gearbox: ReportCheckInput = {
  plannedQty: '100',
  tolerance: '0.02',
  predecessor: null,
  goodQty: '0',
  scrapQty: '0',
  addGood: '0',
  addScrap: '0',
  unitDecimals: 0,
};

describe('maxProcessableQty (the most good + scrap an operation may report)', () => {
  it.each`
    situation                                                             | plannedQty      | tolerance      | predecessor                                | max
    ${'gearbox assembly, 100 pcs planned, 2 % tolerance'}                 | ${'100'}        | ${'0.02'}      | ${null}                                    | ${'102'}
    ${'no tolerance configured'}                                          | ${'100'}        | ${'0'}         | ${null}                                    | ${'100'}
    ${'stored as numeric(18,6)'}                                          | ${'100.000000'} | ${'0.020000'}  | ${null}                                    | ${'102'}
    ${'milling after turning completed with 98 good: only 98 parts came'} | ${'100'}        | ${'0.02'}      | ${{ status: 'completed', goodQty: '98' }}  | ${'98'}
    ${'overlapping milling: turning has passed on 40 so far'}             | ${'100'}        | ${'0.02'}      | ${{ status: 'running', goodQty: '40' }}    | ${'40'}
    ${'turning over-produced 105: the tolerance still caps at 102'}       | ${'100'}        | ${'0.02'}      | ${{ status: 'completed', goodQty: '105' }} | ${'102'}
    ${'turning passed on exactly the tolerance limit'}                    | ${'100'}        | ${'0.02'}      | ${{ status: 'completed', goodQty: '102' }} | ${'102'}
    ${'the next operation has not received anything yet'}                 | ${'100'}        | ${'0.02'}      | ${{ status: 'waiting', goodQty: '0' }}     | ${'0'}
    ${'a gear oil batch of 12.5 kg with 5 % tolerance'}                   | ${'12.5'}       | ${'0.05'}      | ${null}                                    | ${'13.125'}
    ${'a limit with more than 6 decimals is rounded down, never up'}      | ${'3.333333'}   | ${'0.1'}       | ${null}                                    | ${'3.666666'}
    ${'a tiny tolerance below storage precision adds nothing'}            | ${'1'}          | ${'0.0000005'} | ${null}                                    | ${'1'}
  `(
    '$situation → $max',
    ({
      plannedQty,
      tolerance,
      predecessor,
      max,
    }: {
      plannedQty: string;
      tolerance: string;
      predecessor: Predecessor;
      max: string;
    }) => {
      expect(maxProcessableQty({ plannedQty, tolerance, predecessor })).toBe(max);
    },
  );

  it('throws on a malformed stored quantity (a data error, not a user error)', () => {
    expect(() => maxProcessableQty({ plannedQty: '100 pcs', tolerance: '0.02', predecessor: null })).toThrow(
      RangeError,
    );
  });
});

describe('checkReport (one good/scrap report at the terminal)', () => {
  it.each`
    situation                                                       | change                                                                                 | newGood     | newScrap
    ${'the first 40 gearboxes of the shift'}                        | ${{ addGood: '40' }}                                                                   | ${'40'}     | ${'0'}
    ${'the rest of the order plus one scrapped housing'}            | ${{ goodQty: '60', scrapQty: '1', addGood: '40' }}                                     | ${'100'}    | ${'1'}
    ${'two extra gearboxes up to exactly the 2 % tolerance'}        | ${{ goodQty: '100', addGood: '2' }}                                                    | ${'102'}    | ${'0'}
    ${'a scrap-only report'}                                        | ${{ goodQty: '50', addScrap: '3' }}                                                    | ${'50'}     | ${'3'}
    ${'stored totals come back as numeric(18,6)'}                   | ${{ goodQty: '60.000000', scrapQty: '1.000000', addGood: '5' }}                        | ${'65'}     | ${'1'}
    ${'"5.000" is a whole number for a piece unit'}                 | ${{ addGood: '5.000' }}                                                                | ${'5'}      | ${'0'}
    ${'a gear oil filling in kg with 3 decimals'}                   | ${{ plannedQty: '12.5', tolerance: '0.05', unitDecimals: 3, addGood: '12.345' }}       | ${'12.345'} | ${'0'}
    ${'overlapping milling reports the 20 parts turning passed on'} | ${{ predecessor: { status: 'running', goodQty: '20' }, addGood: '19', addScrap: '1' }} | ${'19'}     | ${'1'}
  `(
    'accepts $situation',
    ({
      change,
      newGood,
      newScrap,
    }: {
      change: Partial<ReportCheckInput>;
      newGood: string;
      newScrap: string;
    }) => {
      expect(checkReport({ ...gearbox, ...change })).toEqual({ ok: true, newGood, newScrap });
    },
  );

  it.each`
    situation                                             | change                                                               | field         | message
    ${'an empty report'}                                  | ${{}}                                                                | ${'goodQty'}  | ${'Report a good or scrap quantity greater than 0'}
    ${'zeros with trailing decimals'}                     | ${{ addGood: '0.000', addScrap: '0.0' }}                             | ${'goodQty'}  | ${'Report a good or scrap quantity greater than 0'}
    ${'a negative good quantity to "correct" a miscount'} | ${{ addGood: '-3', addScrap: '3' }}                                  | ${'goodQty'}  | ${'goodQty must not be negative'}
    ${'a negative scrap quantity'}                        | ${{ addGood: '3', addScrap: '-1' }}                                  | ${'scrapQty'} | ${'scrapQty must not be negative'}
    ${'a unit typed into the good quantity'}              | ${{ addGood: '5 pcs' }}                                              | ${'goodQty'}  | ${'Quantities must be decimal numbers'}
    ${'an empty scrap field'}                             | ${{ addGood: '5', addScrap: '' }}                                    | ${'scrapQty'} | ${'Quantities must be decimal numbers'}
    ${'a decimal comma from a German terminal'}           | ${{ addGood: '2,5' }}                                                | ${'goodQty'}  | ${'Quantities must be decimal numbers'}
    ${'an exponent from a spreadsheet'}                   | ${{ addGood: '1e2' }}                                                | ${'goodQty'}  | ${'Quantities must be decimal numbers'}
    ${'a corrupt stored good total'}                      | ${{ goodQty: 'NaN', addGood: '1' }}                                  | ${'goodQty'}  | ${'Quantities must be decimal numbers'}
    ${'a corrupt predecessor quantity'}                   | ${{ predecessor: { status: 'running', goodQty: '' }, addGood: '1' }} | ${'goodQty'}  | ${'Quantities must be decimal numbers'}
  `(
    'refuses $situation as NOT_POSITIVE on $field',
    ({ change, field, message }: { change: Partial<ReportCheckInput>; field: string; message: string }) => {
      expect(checkReport({ ...gearbox, ...change })).toEqual({
        ok: false,
        field,
        code: 'NOT_POSITIVE',
        message,
      });
    },
  );

  it.each`
    situation                                                 | change                                                        | field         | message
    ${'half a gearbox'}                                       | ${{ addGood: '0.5' }}                                         | ${'goodQty'}  | ${'goodQty may have at most 0 decimal places for this unit'}
    ${'a scrapped half housing'}                              | ${{ addGood: '1', addScrap: '0.5' }}                          | ${'scrapQty'} | ${'scrapQty may have at most 0 decimal places for this unit'}
    ${'centimetres on a unit kept in tenths of a metre'}      | ${{ unitDecimals: 1, addGood: '1.25' }}                       | ${'goodQty'}  | ${'goodQty may have at most 1 decimal place for this unit'}
    ${'grams on a kg unit with 3 decimals, trailing zero ok'} | ${{ unitDecimals: 3, addGood: '1.2345', addScrap: '0.1000' }} | ${'goodQty'}  | ${'goodQty may have at most 3 decimal places for this unit'}
  `(
    'refuses $situation as TOO_MANY_DECIMALS',
    ({ change, field, message }: { change: Partial<ReportCheckInput>; field: string; message: string }) => {
      expect(checkReport({ ...gearbox, ...change })).toEqual({
        ok: false,
        field,
        code: 'TOO_MANY_DECIMALS',
        message,
      });
    },
  );

  it.each`
    situation                                                               | change                                                                                               | message                                                                                                                                       | maxAdditional
    ${'three more gearboxes on 98 good + 2 scrap (limit 102)'}              | ${{ goodQty: '98', scrapQty: '2', addGood: '3' }}                                                    | ${'Reporting 3 would bring the operation to 103 of at most 102 (planned 100 + 2 % tolerance); at most 2 more can be reported'}                | ${'2'}
    ${'a typo: 1000 instead of 100'}                                        | ${{ addGood: '1000' }}                                                                               | ${'Reporting 1000 would bring the operation to 1000 of at most 102 (planned 100 + 2 % tolerance); at most 102 more can be reported'}          | ${'102'}
    ${'scrap alone can also exceed the limit'}                              | ${{ goodQty: '100', scrapQty: '2', addScrap: '1' }}                                                  | ${'Reporting 1 would bring the operation to 103 of at most 102 (planned 100 + 2 % tolerance); nothing more can be reported'}                  | ${'0'}
    ${'no tolerance on a customer-specific order'}                          | ${{ tolerance: '0', goodQty: '99', addGood: '2' }}                                                   | ${'Reporting 2 would bring the operation to 101 of at most 100 (planned 100, no tolerance); at most 1 more can be reported'}                  | ${'1'}
    ${'overlapping milling: turning has passed on only 40 good'}            | ${{ predecessor: { status: 'running', goodQty: '40' }, goodQty: '35', addGood: '6', addScrap: '2' }} | ${'Reporting 8 would bring the operation to 43 of at most 40 (the previous operation has passed on 40 good); at most 5 more can be reported'} | ${'5'}
    ${'turning corrected its good quantity below what milling already did'} | ${{ predecessor: { status: 'completed', goodQty: '38' }, goodQty: '40', addGood: '1' }}              | ${'Reporting 1 would bring the operation to 41 of at most 38 (the previous operation has passed on 38 good); nothing more can be reported'}   | ${'0'}
    ${'gear oil in kg: 12.5 kg planned with 5 % tolerance'}                 | ${{ plannedQty: '12.5', tolerance: '0.05', unitDecimals: 3, goodQty: '13', addGood: '0.2' }}         | ${'Reporting 0.2 would bring the operation to 13.2 of at most 13.125 (planned 12.5 + 5 % tolerance); at most 0.125 more can be reported'}     | ${'0.125'}
    ${'a 2.5 % tolerance is written as such'}                               | ${{ plannedQty: '200', tolerance: '0.025', goodQty: '205', addGood: '1' }}                           | ${'Reporting 1 would bring the operation to 206 of at most 205 (planned 200 + 2.5 % tolerance); nothing more can be reported'}                | ${'0'}
  `(
    'refuses $situation as OVER_REPORT',
    ({
      change,
      message,
      maxAdditional,
    }: {
      change: Partial<ReportCheckInput>;
      message: string;
      maxAdditional: string;
    }) => {
      expect(checkReport({ ...gearbox, ...change })).toEqual({
        ok: false,
        field: 'goodQty',
        code: 'OVER_REPORT',
        message,
        maxAdditional,
      });
    },
  );

  it('accepts the report that uses up exactly the room an OVER_REPORT offered', () => {
    const base = { ...gearbox, goodQty: '98', scrapQty: '2' };
    const refused = checkReport({ ...base, addGood: '3' });
    expect(refused.ok).toBe(false);
    const room = refused.ok ? '' : (refused.maxAdditional ?? '');
    expect(checkReport({ ...base, addGood: room })).toEqual({ ok: true, newGood: '100', newScrap: '2' });
  });
});
