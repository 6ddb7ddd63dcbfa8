import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Needs a Redis server (REDIS_URL, default redis://127.0.0.1:6379); run with `npm run test:redis`.
 * REDIS_KEY_PREFIX keeps deployments that share one Redis apart: pushes and sequence numbers of one never reach
 * the other (pub/sub ignores Redis database numbers, so a separate database would not do it).
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/shop-floor`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    socket.once('ready', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('REDIS_KEY_PREFIX', () => {
  const run = randomBytes(4).toString('hex');
  const ours = `test-${run}-ours`;
  const theirs = `test-${run}-theirs`;
  let a: TestApp;
  let b: TestApp;
  let other: TestApp;
  const sockets: Socket[] = [];
  const redis = createClient({ url: REDIS_URL });

  beforeAll(async () => {
    await redis.connect();
    a = await startTestApp({ REDIS_URL, REDIS_KEY_PREFIX: ours, INSTANCE_ID: 'prefix-a' });
    b = await startTestApp({ REDIS_URL, REDIS_KEY_PREFIX: ours, INSTANCE_ID: 'prefix-b' });
    other = await startTestApp({ REDIS_URL, REDIS_KEY_PREFIX: theirs, INSTANCE_ID: 'prefix-other' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await a.close();
    await b.close();
    await other.close();
    for (const prefix of [ours, theirs]) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(keys);
    }
    await redis.quit();
  });

  it('a push reaches the instances of its own deployment only, numbered under its own prefix', async () => {
    const { site, users } = await siteWithStaff(a.dataSource, a.http);
    const sameDeployment = await connect(b.url, users.viewer.token);
    const otherDeployment = await connect(other.url, users.viewer.token);
    sockets.push(sameDeployment, otherDeployment);
    const seen = { same: [] as number[], other: [] as number[] };
    sameDeployment.on('site.changed', (e: { seq: number }) => seen.same.push(e.seq));
    otherDeployment.on('site.changed', (e: { seq: number }) => seen.other.push(e.seq));

    for (const name of ['first', 'second']) {
      await a.http
        .patch(`/api/v1/sites/${site.id}`)
        .set('Authorization', `Bearer ${users.admin.token}`)
        .send({ name })
        .expect(200);
    }
    const until = Date.now() + 5000;
    while (seen.same.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    // Time for a stray push to the other deployment to arrive, had it been sent.
    await new Promise((r) => setTimeout(r, 300));

    expect(seen.same).toEqual([1, 2]);
    expect(seen.other).toEqual([]);
    expect(await redis.get(`${ours}:shop-floor:seq:site:${site.id}`)).toBe('2');
    expect(await redis.exists(`${theirs}:shop-floor:seq:site:${site.id}`)).toBe(0);
  });

  it('refuses a prefix with spaces or wildcards', async () => {
    await expect(startTestApp({ REDIS_URL, REDIS_KEY_PREFIX: 'bad prefix*' })).rejects.toThrow(
      /REDIS_KEY_PREFIX/,
    );
  });
});
