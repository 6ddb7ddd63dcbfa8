// Strings that match a schema's `pattern`, for the OpenAPI fuzzer's valid requests. Handles the regular
// expressions DTOs use (character classes, groups, alternation, quantifiers, the usual escapes); anything
// fancier (look-arounds, back-references) makes `matchingString` return undefined and the caller falls back to
// the schema's example. Every generated string is checked against the real RegExp before it is used.

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const DIGITS = '0123456789'.split('');
const WORD = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', ...DIGITS, '_'];
const SPACE = [' '];

class Unsupported extends Error {}

/** Parses `pattern` into alternatives of quantified atoms. */
function parse(pattern) {
  let i = 0;
  const peek = () => pattern[i];
  const eat = () => pattern[i++];

  function escape(inClass) {
    const c = eat();
    if (c === undefined) throw new Unsupported('trailing backslash');
    switch (c) {
      case 'd':
        return { set: DIGITS };
      case 'w':
        return { set: WORD };
      case 's':
        return { set: SPACE };
      case 'D':
        return { set: PRINTABLE.filter((x) => !DIGITS.includes(x)) };
      case 'W':
        return { set: PRINTABLE.filter((x) => !WORD.includes(x)) };
      case 'S':
        return { set: PRINTABLE.filter((x) => x !== ' ') };
      case 'n':
        return { set: ['\n'] };
      case 't':
        return { set: ['\t'] };
      case 'u': {
        const hex = pattern.slice(i, i + 4);
        i += 4;
        return { set: [String.fromCharCode(parseInt(hex, 16))] };
      }
      case 'x': {
        const hex = pattern.slice(i, i + 2);
        i += 2;
        return { set: [String.fromCharCode(parseInt(hex, 16))] };
      }
      case 'b':
        if (inClass) return { set: ['\b'] };
        throw new Unsupported('word boundary');
      default:
        if (/[1-9]/.test(c)) throw new Unsupported('back-reference');
        return { set: [c] };
    }
  }

  function charClass() {
    let negated = false;
    if (peek() === '^') {
      negated = true;
      eat();
    }
    const chars = new Set();
    let first = true;
    while (i < pattern.length && (peek() !== ']' || first)) {
      first = false;
      let item = eat() === '\\' ? escape(true) : { set: [pattern[i - 1]] };
      if (item.set.length === 1 && peek() === '-' && pattern[i + 1] !== ']' && pattern[i + 1] !== undefined) {
        eat();
        const to = eat() === '\\' ? escape(true) : { set: [pattern[i - 1]] };
        if (to.set.length !== 1) throw new Unsupported('range to a class');
        const a = item.set[0].charCodeAt(0);
        const b = to.set[0].charCodeAt(0);
        item = { set: Array.from({ length: b - a + 1 }, (_, k) => String.fromCharCode(a + k)) };
      }
      for (const ch of item.set) chars.add(ch);
    }
    if (eat() !== ']') throw new Unsupported('unclosed class');
    const set = negated ? PRINTABLE.filter((x) => !chars.has(x)) : [...chars];
    if (set.length === 0) throw new Unsupported('empty class');
    return { set };
  }

  function quantifier() {
    const c = peek();
    let min = 1;
    let max = 1;
    if (c === '?') [min, max] = [0, 1];
    else if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!m) return { min, max };
      i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (peek() === '?') eat(); // lazy: same language
      return { min, max };
    } else return { min, max };
    eat();
    if (peek() === '?') eat();
    return { min, max };
  }

  function alternation() {
    const alternatives = [[]];
    while (i < pattern.length && peek() !== ')') {
      const c = eat();
      let atom;
      if (c === '|') {
        alternatives.push([]);
        continue;
      } else if (c === '^' || c === '$') continue;
      else if (c === '(') {
        if (peek() === '?') {
          eat();
          if (eat() !== ':') throw new Unsupported('look-around or named group');
        }
        atom = { group: alternation() };
        if (eat() !== ')') throw new Unsupported('unclosed group');
      } else if (c === '[') atom = charClass();
      else if (c === '\\') atom = escape(false);
      else if (c === '.') atom = { set: PRINTABLE };
      else atom = { set: [c] };
      alternatives[alternatives.length - 1].push({ atom, ...quantifier() });
    }
    return alternatives;
  }

  const tree = alternation();
  if (i !== pattern.length) throw new Unsupported('unbalanced parenthesis');
  return tree;
}

function generate(alternatives, rnd, out) {
  for (const item of rnd.pick(alternatives)) {
    const max = Math.min(item.max, item.min + 6);
    const n = rnd.int(item.min, max);
    for (let k = 0; k < n; k++) {
      if (item.atom.group) generate(item.atom.group, rnd, out);
      else out.push(rnd.pick(item.atom.set));
    }
  }
}

const cache = new Map();

/** A string matching `pattern`, or undefined when the pattern is beyond this generator. */
export function matchingString(pattern, rnd, { minLength = 0, maxLength = Infinity } = {}) {
  let entry = cache.get(pattern);
  if (!entry) {
    try {
      entry = { tree: parse(pattern), re: new RegExp(pattern) };
    } catch {
      entry = { tree: null };
    }
    cache.set(pattern, entry);
  }
  if (!entry.tree) return undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    const out = [];
    generate(entry.tree, rnd, out);
    const s = out.join('');
    if (s.length >= minLength && s.length <= maxLength && entry.re.test(s)) return s;
  }
  return undefined;
}
