import { io, type Socket } from 'socket.io-client';
import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Needs a Redis server (REDIS_URL, default redis://127.0.0.1:6379); run with `npm run test:redis`.
 * Two instances share Redis: a push raised on one reaches clients connected to the other, and the per-room
 * sequence numbers continue across instances.
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

function nextEvent<T>(socket: Socket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

describe('Socket.IO across instances through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    a = await startTestApp({ REDIS_URL, INSTANCE_ID: 'redis-a' });
    b = await startTestApp({ REDIS_URL, INSTANCE_ID: 'redis-b' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await a.close();
    await b.close();
  });

  it('a change committed on instance A reaches a screen connected to instance B, with one sequence per room', async () => {
    const { site, users } = await siteWithStaff(a.dataSource, a.http);
    const screen = await connect(b.url, users.viewer.token);
    sockets.push(screen);

    const first = nextEvent<{ room: string; seq: number; data: { siteId: string } }>(screen, 'site.changed');
    await a.http
      .patch(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ name: 'via A' })
      .expect(200);
    const e1 = await first;
    expect(e1).toMatchObject({ room: `site:${site.id}`, data: { siteId: site.id } });

    const second = nextEvent<{ seq: number }>(screen, 'site.changed');
    await b.http
      .patch(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ name: 'via B' })
      .expect(200);
    const e2 = await second;
    expect(e2.seq).toBe(e1.seq + 1);
  });
});
