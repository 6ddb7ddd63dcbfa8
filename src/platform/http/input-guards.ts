import type { FastifyInstance } from 'fastify';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';

/**
 * How deeply a JSON body may nest. The deepest request the API documents nests a handful of levels; turning a
 * body into DTO instances recurses once per level, so thousands of levels (a few kilobytes of `[[[[…`) would
 * overflow the stack and answer 500 instead of a 400.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * How many items one array (or members one object) of a JSON body may hold: the largest list the API takes is
 * an import of 10,000 rows. Validating is per item and synchronous, so a body of 100,000 small objects (under
 * the size limit) would hold the event loop, and every other request, for many seconds.
 */
export const MAX_JSON_ITEMS = 10_000;

export type JsonProblem = 'too-deep' | 'too-many-items' | 'nul' | 'lone-surrogate';

/** The code unit a JSON `\uXXXX` escape at `i` (its backslash) writes, or -1 when it is another escape. */
function escapedUnit(body: Buffer, i: number): number {
  if (body[i] !== 0x5c || body[i + 1] !== 0x75) return -1;
  const hex = body.toString('latin1', i + 2, i + 6);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : -1;
}

/**
 * What is wrong with JSON text that JSON.parse would accept, read from the bytes before parsing:
 * 'too-deep' (arrays and objects nested deeper than MAX_JSON_DEPTH), 'too-many-items' (an array or object
 * with more than MAX_JSON_ITEMS entries), 'nul' (a string holding U+0000, which PostgreSQL cannot store in
 * text: it would fail the statement and answer 500), 'lone-surrogate' (a `\uD800`-style escape that is half
 * of a character: not text at all, and encodeURI and the validators built on it throw on it), or null.
 * Brackets and commas inside strings do not count; multi-byte UTF-8 never contains the ASCII bytes looked at,
 * so bytes will do.
 */
export function inspectJson(body: Buffer): JsonProblem | null {
  // Commas seen so far in each open array or object (an entry more than its commas).
  const commas: number[] = [];
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (inString) {
      if (b === 0x5c) {
        const unit = escapedUnit(body, i);
        if (unit === -1) {
          i++; // a one-character escape: skip the escaped byte
          continue;
        }
        if (unit === 0) return 'nul'; // \u0000, the only way JSON writes a NUL
        if (unit >= 0xdc00 && unit <= 0xdfff) return 'lone-surrogate';
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = escapedUnit(body, i + 6);
          if (low < 0xdc00 || low > 0xdfff) return 'lone-surrogate';
          i += 6; // the pair's second escape
        }
        i += 5; // "u" and the four hex digits
      } else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (commas.push(0) > MAX_JSON_DEPTH) return 'too-deep';
    } else if (b === 0x5d || b === 0x7d) commas.pop();
    else if (b === 0x2c && commas.length > 0 && ++commas[commas.length - 1]! >= MAX_JSON_ITEMS) {
      return 'too-many-items';
    }
  }
  return null;
}

export function jsonBodyError(problem: JsonProblem): DomainError {
  switch (problem) {
    case 'too-deep':
      return new DomainError(
        'validation',
        PlatformErrorCode.JSON_TOO_DEEP,
        `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
        { errors: [{ field: '', message: `nested more than ${MAX_JSON_DEPTH} levels` }] },
      );
    case 'too-many-items':
      return new DomainError(
        'validation',
        PlatformErrorCode.JSON_TOO_MANY_ITEMS,
        `An array or object in the request body has more than ${MAX_JSON_ITEMS.toLocaleString('en')} entries`,
        { errors: [{ field: '', message: `more than ${MAX_JSON_ITEMS} entries` }] },
      );
    case 'nul':
      return nulError('The request body');
    case 'lone-surrogate':
      return new DomainError(
        'validation',
        PlatformErrorCode.INVALID_UNICODE,
        'The request body has a string with half of a UTF-16 surrogate pair, which is not text',
        { errors: [{ field: '', message: 'must be valid Unicode text' }] },
      );
  }
}

export function nulError(where: string): DomainError {
  return new DomainError(
    'validation',
    PlatformErrorCode.NUL_CHARACTER,
    `${where} contains a NUL character (U+0000), which no field accepts`,
    { errors: [{ field: '', message: 'must not contain U+0000' }] },
  );
}

/**
 * A NUL in the path or query (%00) is refused before routing for the same reason as in a body: no id, code
 * or filter can hold it, and the database would fail the query instead of finding nothing.
 */
export function installInputGuards(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    done(req.url.includes('%00') ? nulError('The URL') : undefined);
  });
}
