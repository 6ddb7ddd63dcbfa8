import { csvDocument } from './csv';

describe('csvDocument', () => {
  it('quotes separators, quotes and line breaks, and writes empty cells for null', () => {
    expect(
      csvDocument(
        ['a', 'b', 'c'],
        [
          ['x,y', 'say "hi"', null],
          ['line\nbreak', 3, true],
        ],
      ),
    ).toBe('a,b,c\r\n"x,y","say ""hi""",\r\n"line\nbreak",3,true\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, but keeps negative numbers as numbers', () => {
    expect(csvDocument(['v'], [['=HYPERLINK("x")'], ['+1+1'], ['@SUM(A1)'], ['-12.5'], [-3]])).toBe(
      'v\r\n"\'=HYPERLINK(""x"")"\r\n\'+1+1\r\n\'@SUM(A1)\r\n-12.5\r\n-3\r\n',
    );
  });
});
