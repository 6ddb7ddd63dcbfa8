import { allowedNcrCommands, ncrTransition } from './ncr-lifecycle';

describe('NCR lifecycle (open → under_review → dispositioned → closed)', () => {
  it.each([
    ['open', 'review', 'under_review'],
    ['open', 'containment', 'open'],
    ['under_review', 'containment', 'under_review'],
    ['under_review', 'disposition', 'dispositioned'],
    ['dispositioned', 'close', 'closed'],
  ] as const)('%s --%s--> %s', (from, command, to) => {
    expect(ncrTransition(from, command)).toEqual({ ok: true, next: to });
  });

  it.each([
    ['open', 'disposition', ['review', 'containment']],
    ['open', 'close', ['review', 'containment']],
    ['under_review', 'review', ['containment', 'disposition']],
    ['under_review', 'close', ['containment', 'disposition']],
    ['dispositioned', 'containment', ['close']],
    ['dispositioned', 'disposition', ['close']],
    ['closed', 'close', []],
    ['closed', 'review', []],
  ] as const)('refuses %s --%s--> and names what is allowed', (from, command, allowed) => {
    const result = ncrTransition(from, command);
    expect(result).toMatchObject({ ok: false, allowed });
    if (!result.ok) expect(result.message).toContain(from);
  });

  it('lists nothing for a closed NCR', () => {
    expect(allowedNcrCommands('closed')).toEqual([]);
  });
});
