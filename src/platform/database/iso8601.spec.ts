import { iso8601 } from './iso8601';

describe('iso8601', () => {
  it('renders the expression in UTC with milliseconds and a Z, like toISOString', () => {
    expect(iso8601('e.occurred_at')).toBe(
      `to_char((e.occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    );
  });
});
