import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The request-signing scheme shared by inbound API clients and outbound WMS calls (DESIGN.md). */
export function sha256Hex(body: Buffer | string | undefined): string {
  return createHash('sha256')
    .update(body ?? '')
    .digest('hex');
}

export interface SignedRequestParts {
  method: string;
  pathWithQuery: string;
  timestamp: string;
  nonce: string;
  body?: Buffer | string;
}

export function signRequest(secret: string, r: SignedRequestParts): string {
  const canonical = [r.method.toUpperCase(), r.pathWithQuery, r.timestamp, r.nonce, sha256Hex(r.body)].join(
    '\n',
  );
  return createHmac('sha256', secret).update(canonical).digest('hex');
}

export function signaturesMatch(expectedHex: string, givenHex: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(givenHex)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(givenHex, 'hex'));
}
