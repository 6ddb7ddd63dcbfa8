import { randomUUID } from 'node:crypto';
import { signRequest } from '../../src/platform/auth/hmac-signature';
import { signedPost, startTestWms, type TestWms } from './test-wms';

const credentials = { appKey: 'mom-test', appSecret: 'wms-shared-secret' };

interface SendOptions {
  messageId?: string | null;
  secret?: string;
  appKey?: string;
  timestamp?: number;
  nonce?: string;
  rawBody?: string;
  method?: string;
  signal?: AbortSignal;
}

/** Calls the test WMS as MOM's outbound bridge does: signed JSON POST with an Idempotency-Key. */
async function send(
  wms: TestWms,
  path: string,
  body: unknown,
  opts: SendOptions = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the untyped JSON answer
): Promise<{ status: number; body: any; headers: Headers }> {
  const method = opts.method ?? 'POST';
  const rawBody = opts.rawBody ?? (method === 'POST' ? JSON.stringify(body) : '');
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? randomUUID().replace(/-/g, '');
  const messageId = opts.messageId === undefined ? randomUUID() : opts.messageId;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-App-Key': opts.appKey ?? credentials.appKey,
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Signature': signRequest(opts.secret ?? credentials.appSecret, {
      method,
      pathWithQuery: path,
      timestamp,
      nonce,
      body: rawBody,
    }),
  };
  if (messageId !== null) headers['Idempotency-Key'] = messageId;
  const res = await fetch(wms.url + path, {
    method,
    headers,
    body: rawBody === '' ? undefined : rawBody,
    signal: opts.signal,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe('Test WMS (stand-in for the warehouse system in e2e tests)', () => {
  let wms: TestWms;

  beforeEach(async () => {
    wms = await startTestWms(credentials);
  });
  afterEach(async () => {
    await wms.close();
  });

  it('accepts a correctly signed request and lists it', async () => {
    const res = await send(
      wms,
      '/pick-tasks',
      { taskId: 'PT-1', lines: [{ sku: 'A', qty: 2 }] },
      {
        messageId: 'msg-1',
      },
    );

    expect(res.status).toBe(201);
    expect(res.body).toEqual({ accepted: true, messageId: 'msg-1' });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(wms.accepted()).toEqual([
      {
        messageId: 'msg-1',
        path: '/pick-tasks',
        body: { taskId: 'PT-1', lines: [{ sku: 'A', qty: 2 }] },
        firstAcceptedAt: expect.any(Number),
        deliveries: 1,
      },
    ]);
    expect(wms.requests).toEqual([
      expect.objectContaining({
        seq: 1,
        method: 'POST',
        path: '/pick-tasks',
        messageId: 'msg-1',
        signatureValid: true,
        answeredStatus: 201,
      }),
    ]);
    expect(wms.requests[0]!.headers['x-app-key']).toBe(credentials.appKey);
  });

  it('accepts any POST path and filters accepted messages by path prefix', async () => {
    await send(wms, '/pick-tasks/PT-1/priority', { priority: 1 }, { messageId: 'm-1' });
    await send(wms, '/lots/L%2F01/freeze?reason=qc', { reason: 'qc' }, { messageId: 'm-2' });
    await send(wms, '/pick-tasks/PT-1/cancel', {}, { messageId: 'm-3' });

    expect(wms.accepted().map((m) => m.messageId)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(wms.acceptedOn('/pick-tasks').map((m) => m.path)).toEqual([
      '/pick-tasks/PT-1/priority',
      '/pick-tasks/PT-1/cancel',
    ]);
    expect(wms.acceptedOn('/lots/')[0]!.path).toBe('/lots/L%2F01/freeze?reason=qc');
    expect(wms.acceptedOn('/putaways')).toEqual([]);
  });

  it('refuses a bad signature with 401 and does not accept the message', async () => {
    const res = await send(wms, '/putaways', { lot: 'L1' }, { secret: 'not-the-secret' });

    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/signature/);
    expect(wms.accepted()).toEqual([]);
    expect(wms.requests[0]).toMatchObject({ signatureValid: false, answeredStatus: 401 });
  });

  it.each([
    ['a wrong app key', { appKey: 'someone-else' }],
    ['a timestamp outside ±300 s', { timestamp: Math.floor(Date.now() / 1000) - 301 }],
    ['a body other than the one signed', { rawBody: '{"lot":"L2"}', secret: 'not-the-secret' }],
  ])('refuses %s with 401', async (_, opts) => {
    const res = await send(wms, '/putaways', { lot: 'L1' }, opts);

    expect(res.status).toBe(401);
    expect(wms.accepted()).toEqual([]);
  });

  it('refuses requests without the signature headers with 401', async () => {
    const res = await fetch(`${wms.url}/putaways`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'm-1' },
      body: '{}',
    });

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/X-Signature/) });
  });

  it('refuses a replayed nonce with 401', async () => {
    const nonce = 'nonce-replayed-1';
    const first = await send(wms, '/pick-tasks', { taskId: 'PT-1' }, { nonce });
    const replay = await send(wms, '/pick-tasks', { taskId: 'PT-1' }, { nonce });

    expect(first.status).toBe(201);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toMatch(/nonce/);
    expect(wms.accepted()).toHaveLength(1);
    expect(wms.requests.map((r) => r.signatureValid)).toEqual([true, false]);
  });

  it('answers 409 to a known Idempotency-Key and counts the delivery', async () => {
    const first = await send(wms, '/pick-tasks', { taskId: 'PT-1' }, { messageId: 'msg-dup' });
    const again = await send(wms, '/pick-tasks', { taskId: 'PT-1' }, { messageId: 'msg-dup' });

    expect(first.status).toBe(201);
    expect(again.status).toBe(409);
    expect(again.body.messageId).toBe('msg-dup');
    expect(wms.accepted()).toEqual([expect.objectContaining({ messageId: 'msg-dup', deliveries: 2 })]);
  });

  it('answers 400 without an Idempotency-Key or with invalid JSON', async () => {
    const noKey = await send(wms, '/pick-tasks', { taskId: 'PT-1' }, { messageId: null });
    const badJson = await send(wms, '/pick-tasks', undefined, { rawBody: '{"taskId":' });

    expect(noKey.status).toBe(400);
    expect(badJson.status).toBe(400);
    expect(wms.accepted()).toEqual([]);
    expect(wms.requests[1]).toMatchObject({ rawBody: '{"taskId":', body: undefined, signatureValid: true });
  });

  it('answers 404 to anything but POST, without using up queued faults', async () => {
    wms.failNext(1, { kind: 'status', status: 503 });

    const res = await send(wms, '/pick-tasks', undefined, { method: 'GET' });
    const next = await send(wms, '/pick-tasks', {});

    expect(res.status).toBe(404);
    expect(next.status).toBe(503);
  });

  it('fails the next n requests with 503, then accepts', async () => {
    wms.failNext(2, { kind: 'status', status: 503 });

    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await send(wms, '/putaways', {}, { messageId: 'm-1' })).status);

    expect(statuses).toEqual([503, 503, 201]);
    expect(wms.requests.map((r) => [r.seq, r.answeredStatus])).toEqual([
      [1, 503],
      [2, 503],
      [3, 201],
    ]);
    expect(wms.accepted()).toEqual([expect.objectContaining({ messageId: 'm-1', deliveries: 1 })]);
  });

  it('answers 429 with Retry-After, and applies queued faults in order', async () => {
    wms.failNext(1, { kind: 'status', status: 429, retryAfterSeconds: 7 });
    wms.failNext(1, { kind: 'status', status: 500, body: 'boom' });

    const limited = await fetch(`${wms.url}/putaways`, { method: 'POST', body: '{}' });
    const broken = await fetch(`${wms.url}/putaways`, { method: 'POST', body: '{}' });

    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({ error: expect.any(String) });
    expect(broken.status).toBe(500);
    expect(broken.headers.get('retry-after')).toBeNull();
    expect(await broken.text()).toBe('boom');
  });

  it('hangs without answering: the sender times out, and close() still returns', async () => {
    wms.failNext(1, { kind: 'hang' });

    await expect(send(wms, '/pick-tasks', {}, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(wms.requests[0]).toMatchObject({ answeredStatus: null, signatureValid: true });
    expect(wms.accepted()).toEqual([]);
    expect((await send(wms, '/pick-tasks', {})).status).toBe(201);

    // A request still hanging when the server closes is destroyed rather than waited for.
    wms.failNext(1, { kind: 'hang' });
    const pending = send(wms, '/pick-tasks', {});
    await wms.waitFor(() => wms.requests.length === 3);
    await wms.close();
    await expect(pending).rejects.toThrow();
  });

  it('resets the connection without answering', async () => {
    wms.failNext(1, { kind: 'reset' });

    await expect(send(wms, '/pick-tasks', {})).rejects.toThrow('fetch failed');
    expect(wms.requests[0]!.answeredStatus).toBeNull();
    expect((await send(wms, '/pick-tasks', {})).status).toBe(201);
  });

  it('fails every request while down, and accepts again after up()', async () => {
    wms.down({ kind: 'status', status: 503 });
    const whileDown = [await send(wms, '/putaways', {}), await send(wms, '/putaways', {})];
    wms.up();
    const afterUp = await send(wms, '/putaways', {});

    expect(whileDown.map((r) => r.status)).toEqual([503, 503]);
    expect(afterUp.status).toBe(201);
    expect(wms.accepted()).toHaveLength(1);
  });

  it('waitFor resolves once the condition holds and rejects clearly on timeout', async () => {
    const arrived = wms.waitFor(() => wms.accepted().length === 1, 2000);
    await send(wms, '/putaways', {});
    await expect(arrived).resolves.toBeUndefined();

    await expect(wms.waitFor(() => wms.accepted().length === 2, 100)).rejects.toThrow(
      /not met within 100 ms; 1 request\(s\) received, 1 message\(s\) accepted; latest: #1 POST \/putaways → 201/,
    );
  });

  it('reset() forgets requests, accepted messages, nonces and faults', async () => {
    await send(wms, '/putaways', {}, { messageId: 'm-1', nonce: 'nonce-before-reset' });
    wms.failNext(5, { kind: 'status', status: 500 });
    wms.down({ kind: 'reset' });

    wms.reset();
    const res = await send(wms, '/putaways', {}, { messageId: 'm-1', nonce: 'nonce-before-reset' });

    expect(res.status).toBe(201);
    expect(wms.requests.map((r) => r.seq)).toEqual([1]);
    expect(wms.accepted()).toEqual([expect.objectContaining({ messageId: 'm-1', deliveries: 1 })]);
  });

  it('delays every answer by acceptDelayMs, having accepted the message already', async () => {
    const slow = await startTestWms({ ...credentials, acceptDelayMs: 400 });
    try {
      const startedAt = Date.now();
      const ok = await send(slow, '/pick-tasks', {}, { messageId: 'slow-1' });
      expect(ok.status).toBe(201);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(390);

      // A sender that gives up before the answer finds the message delivered when it retries.
      await expect(
        send(slow, '/pick-tasks', {}, { messageId: 'slow-2', signal: AbortSignal.timeout(100) }),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
      expect((await send(slow, '/pick-tasks', {}, { messageId: 'slow-2' })).status).toBe(409);
    } finally {
      await slow.close();
    }
  });

  describe('signedPost (a WMS calling MOM)', () => {
    it('signs requests the way the verifier expects', async () => {
      const res = await signedPost(`${wms.url}/`, '/putaways?site=S1', { lot: 'L1' }, credentials, {
        headers: { 'Idempotency-Key': 'evt-1' },
      });

      expect(res.status).toBe(201);
      expect(res.body).toEqual({ accepted: true, messageId: 'evt-1' });
      expect(wms.requests[0]).toMatchObject({ path: '/putaways?site=S1', signatureValid: true });
    });

    it('sends the given timestamp, nonce and raw body', async () => {
      const timestamp = Math.floor(Date.now() / 1000) - 1000;
      const res = await signedPost(wms.url, '/putaways', null, credentials, {
        timestamp,
        nonce: 'fixed-nonce-1',
        rawBody: '{"raw":true}',
      });

      expect(res.status).toBe(401);
      expect(wms.requests[0]!.headers).toMatchObject({
        'x-timestamp': String(timestamp),
        'x-nonce': 'fixed-nonce-1',
      });
      expect(wms.requests[0]!.body).toEqual({ raw: true });
    });
  });
});
