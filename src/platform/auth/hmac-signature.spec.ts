import { createHmac } from 'node:crypto';
import { sha256Hex, signaturesMatch, signRequest } from './hmac-signature';

describe('request signing scheme (DESIGN.md: WMS bridge contract)', () => {
  it('hashes the empty body as SHA-256 of the empty string', () => {
    expect(sha256Hex(undefined)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('signs METHOD\\nPATH_WITH_QUERY\\nTIMESTAMP\\nNONCE\\nBODY_SHA256 with HMAC-SHA256, lowercase hex', () => {
    const body = '{"taskId":"PT-1"}';
    const expected = createHmac('sha256', 'secret')
      .update(`POST\n/pick-tasks?x=1\n1795000000\nnonce-123\n${sha256Hex(body)}`)
      .digest('hex');
    expect(
      signRequest('secret', {
        method: 'post',
        pathWithQuery: '/pick-tasks?x=1',
        timestamp: '1795000000',
        nonce: 'nonce-123',
        body,
      }),
    ).toBe(expected);
  });

  it('compares in constant time and refuses malformed signatures', () => {
    const sig = signRequest('k', { method: 'GET', pathWithQuery: '/', timestamp: '1', nonce: 'n' });
    expect(signaturesMatch(sig, sig)).toBe(true);
    expect(signaturesMatch(sig, sig.toUpperCase())).toBe(false);
    expect(signaturesMatch(sig, sig.slice(0, 63))).toBe(false);
    expect(signaturesMatch(sig, `${sig.slice(0, 63)}${sig[63] === '0' ? '1' : '0'}`)).toBe(false);
  });
});
