// A small seeded pseudo-random generator for the OpenAPI fuzzer (test/hardening/openapi-fuzz.hardening.mjs).
// Math.random cannot be seeded; with this one a run is reproducible from its printed seed, and each operation
// gets its own stream (seed + the operation's name), so fuzzing a subset of operations sends the very same
// requests as the full run did for them.

/** cyrb128: four 32-bit words from a string, to seed sfc32. */
function hash128(text) {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

export class Random {
  /** `seed`: any string (the run's seed, or the seed and an operation's name). */
  constructor(seed) {
    [this.a, this.b, this.c, this.d] = hash128(String(seed));
    for (let i = 0; i < 15; i++) this.next(); // the first outputs of sfc32 are poorly mixed
  }

  /** sfc32: a float in [0, 1). */
  next() {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p) {
    return this.next() < p;
  }

  pick(items) {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Up to `n` distinct items, in their original order. */
  sample(items, n) {
    const chosen = new Set();
    while (chosen.size < Math.min(n, items.length)) chosen.add(this.int(0, items.length - 1));
    return [...chosen].sort((x, y) => x - y).map((i) => items[i]);
  }

  string(length, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789') {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** A random RFC 4122 version 4 UUID. */
  uuid() {
    const hex = this.string(32, '0123456789abcdef').split('');
    hex[12] = '4';
    hex[16] = '89ab'[this.int(0, 3)];
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/** A fresh seed when none is given: printed by the fuzzer so the run can be repeated with FUZZ_SEED. */
export function newSeed() {
  return String(Math.floor(Math.random() * 2 ** 31));
}
