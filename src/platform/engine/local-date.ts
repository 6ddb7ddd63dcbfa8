/** The calendar date (YYYY-MM-DD) an instant falls on in an IANA time zone. */
export function localDate(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}
