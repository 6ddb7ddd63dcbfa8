import request from 'supertest';
import { createSite, createUser } from './support/builders';
import { startTestApp } from './support/test-app';

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then refuses new ones and closes the database pool', async () => {
    const t = await startTestApp();
    const site = await createSite(t.dataSource);
    const user = await createUser(t.dataSource, { roles: ['planner'], siteIds: [site.id] });

    let received = 0;
    t.app.getHttpServer().on('request', () => received++);
    // Sign-ins spend tens of milliseconds in argon2: these are still running when the shutdown starts.
    const inFlight = Array.from({ length: 6 }, () =>
      t.http.post('/api/v1/auth/login').send({ username: user.username, password: user.password }),
    );
    const finishedAt: number[] = [];
    const started = inFlight.map((r) =>
      r.then((res) => {
        finishedAt.push(Date.now());
        return res;
      }),
    );
    // Start the shutdown once the server has all six requests (a connection whose request has not arrived
    // yet is idle, and closing idle connections is part of a graceful stop).
    const deadline = Date.now() + 5000;
    while (received < inFlight.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    expect(received).toBe(inFlight.length);
    const closeStartedAt = Date.now();
    const closing = t.app.close();

    const responses = await Promise.all(started);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    responses.forEach((r) => expect(r.body.accessToken).toEqual(expect.any(String)));
    // At least some of them were answered after the shutdown had begun.
    expect(Math.max(...finishedAt)).toBeGreaterThan(closeStartedAt);

    await closing;
    expect(t.dataSource.isInitialized).toBe(false);
    await expect(request(t.url).get('/health')).rejects.toThrow(/ECONNREFUSED|socket hang up/);
  });
});
