/**
 * SQL that renders a timestamptz expression as ISO 8601 text in UTC with milliseconds — what
 * `Date.prototype.toISOString` gives — so rows and JSON built in SQL need no date parsing (NULL stays NULL).
 */
export const iso8601 = (expr: string): string =>
  `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
