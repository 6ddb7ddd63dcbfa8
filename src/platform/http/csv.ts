/**
 * A CSV document for download (RFC 4180, CRLF): cells quoted when needed, and text that a spreadsheet would take
 * for a formula (starting with = + - @ or a tab/CR) prefixed with an apostrophe, so an exported lot code or note
 * cannot run in the reader's spreadsheet. Numbers are written as they are.
 */
export function csvDocument(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<CsvCell>>): string {
  return [header, ...rows].map(csvRow).join('');
}

export type CsvCell = string | number | boolean | null | undefined;

/** One CSV line with its CRLF, cells treated as in {@link csvDocument}: for documents written row by row. */
export function csvRow(cells: ReadonlyArray<CsvCell>): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
