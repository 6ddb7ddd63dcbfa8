/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF line ends; UTF-8 BOM ignored. */
export interface CsvTable {
  header: string[];
  /** Each data row with the line number it starts on (the header is line 1), as spreadsheets count. */
  rows: Array<{ line: number; values: string[] }>;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export function parseCsv(text: string): CsvTable {
  const records: Array<{ line: number; values: string[] }> = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const endRecord = (): void => {
    record.push(field);
    // A blank line is no record.
    if (!(record.length === 1 && record[0] === '' && !fieldStarted))
      records.push({ line: recordLine, values: record });
    record = [];
    field = '';
    fieldStarted = false;
  };

  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== '') throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
      inQuotes = true;
      fieldStarted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\r' && src[i + 1] === '\n') {
      continue;
    } else if (c === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new CsvSyntaxError(recordLine, 'a quoted field is not closed');
  if (field !== '' || record.length > 0 || fieldStarted) endRecord();

  const [head, ...rows] = records;
  if (!head) return { header: [], rows: [] };
  return { header: head.values.map((h) => h.trim()), rows };
}

export function toCsv(
  header: string[],
  rows: Array<Array<string | number | boolean | null | undefined>>,
): string {
  const cell = (v: string | number | boolean | null | undefined): string => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
