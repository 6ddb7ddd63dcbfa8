import { parseRoom, ROOM_KINDS } from './shop-floor-events';

describe('parseRoom', () => {
  it.each(ROOM_KINDS.map((kind) => [kind]))('accepts the %s room kind', (kind) => {
    expect(parseRoom(`${kind}:abc-123_X`)).toEqual({ kind, id: 'abc-123_X' });
  });

  it('keeps a uuid id as is', () => {
    const id = '0b6a6c3e-5d1f-4d8e-9a61-3b0f3a3f8e21';
    expect(parseRoom(`site:${id}`)).toEqual({ kind: 'site', id });
  });

  it('accepts ids of 1 and 100 characters, refuses 101', () => {
    expect(parseRoom('line:a')).toEqual({ kind: 'line', id: 'a' });
    expect(parseRoom(`line:${'a'.repeat(100)}`)).toEqual({ kind: 'line', id: 'a'.repeat(100) });
    expect(parseRoom(`line:${'a'.repeat(101)}`)).toBeUndefined();
  });

  it.each([
    ['an unknown kind', 'bogus:1'],
    ['no separator', 'bogus'],
    ['an empty id', 'site:'],
    ['an empty kind', ':abc'],
    ['an upper-case kind', 'SITE:abc'],
    ['a second separator', 'site:a:b'],
    ['a space in the id', 'site:a b'],
    ['a slash in the id', 'site:a/b'],
    ['a trailing newline', 'site:abc\n'],
    ['leading whitespace', ' site:abc'],
    ['an empty string', ''],
  ])('refuses %s (%j)', (_label, room) => {
    expect(parseRoom(room)).toBeUndefined();
  });

  it.each([[undefined], [null], [42], [{ room: 'site:abc' }], [['site:abc']]])(
    'refuses a non-string %p',
    (value) => {
      expect(parseRoom(value)).toBeUndefined();
    },
  );

  it('does not treat inherited object keys as room kinds', () => {
    expect(parseRoom('constructor:abc')).toBeUndefined();
    expect(parseRoom('tostring:abc')).toBeUndefined();
  });
});
