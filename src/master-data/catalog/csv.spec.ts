import { CsvSyntaxError, parseCsv, toCsv } from './csv';

describe('CSV (RFC 4180)', () => {
  it('reads quoted commas, doubled quotes, line breaks in quotes and CRLF, numbering rows by their first line', () => {
    const text =
      '\ufeffcode,name,spec\r\nM-1,"Bolt, M8","8 mm ""hex"""\r\nM-2,"Two\nlines",\r\n\r\nM-3,螺母,\n';
    expect(parseCsv(text)).toEqual({
      header: ['code', 'name', 'spec'],
      rows: [
        { line: 2, values: ['M-1', 'Bolt, M8', '8 mm "hex"'] },
        { line: 3, values: ['M-2', 'Two\nlines', ''] },
        { line: 6, values: ['M-3', '螺母', ''] },
      ],
    });
  });

  it('keeps a last line without a line break and empty trailing fields', () => {
    expect(parseCsv('a,b\n1,').rows).toEqual([{ line: 2, values: ['1', ''] }]);
  });

  it('refuses an unclosed quote and a stray quote, naming the line', () => {
    expect(() => parseCsv('a\n"x\n')).toThrow(new CsvSyntaxError(2, 'a quoted field is not closed'));
    expect(() => parseCsv('a\nx"y\n')).toThrow(/line 2: a quote inside an unquoted field/);
  });

  it('writes what it reads', () => {
    const rows = [
      ['M-1', 'Bolt, M8', '8 mm "hex"'],
      ['M-2', 'Two\nlines', ''],
    ];
    const parsed = parseCsv(toCsv(['code', 'name', 'spec'], rows));
    expect(parsed.rows.map((r) => r.values)).toEqual(rows);
  });
});
