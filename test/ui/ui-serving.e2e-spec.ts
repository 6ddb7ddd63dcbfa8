import { startTestApp, type TestApp } from '../support/test-app';

/** The pages are served by the app itself at `/`; the API, health checks and docs keep their paths. */
describe('ui: served by the app', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves index.html at / and at every page path, with a CSP allowing only its own files', async () => {
    for (const path of ['/', '/login', '/dashboard', '/terminal', '/dashboard/', '/no/such/page?x=1']) {
      const res = await t.http.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<script type="module" src="/app.js"></script>');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves the modules, styles, the chart library and the Socket.IO client as JavaScript and CSS', async () => {
    for (const path of [
      '/app.js',
      '/api.js',
      '/i18n.js',
      '/i18n/zh-CN.js',
      '/i18n/en.js',
      '/socket.js',
      '/pages/dashboard.js',
      '/vendor/echarts.esm.min.js',
      '/socket.io/socket.io.esm.min.js',
    ]) {
      const res = await t.http.get(path).expect(200);
      expect([path, res.headers['content-type']]).toEqual([path, expect.stringMatching(/javascript/)]);
    }
    const css = await t.http.get('/styles.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('no-cache');
    const again = await t.http.get('/styles.css').set('If-None-Match', css.headers.etag as string);
    expect(again.status).toBe(304);
  });

  it('keeps real 404s: unknown API paths answer problem+json, missing files are not pages', async () => {
    const api = await t.http.get('/api/v1/no-such-thing').expect(404);
    expect(api.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(api.body).toMatchObject({ status: 404 });
    const apiRoot = await t.http.get('/api').expect(404);
    expect(apiRoot.headers['content-type']).toMatch(/application\/problem\+json/);
    const file = await t.http.get('/missing.js').expect(404);
    expect(file.headers['content-type']).toMatch(/application\/problem\+json/);
    await t.http.get('/health/nothing').expect(404);
    await t.http.post('/dashboard').expect(404);
  });

  it('leaves the API, health checks, metrics and the API docs where they were', async () => {
    await t.http.get('/health').expect(200, { status: 'ok' });
    await t.http.get('/health/ready').expect(200);
    await t.http.get('/metrics').expect(200);
    const docs = await t.http.get('/api/docs').expect(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    await t.http.get('/api/docs-json').expect(200);
    await t.http.get('/api/v1/auth/me').expect(401);
  });
});
