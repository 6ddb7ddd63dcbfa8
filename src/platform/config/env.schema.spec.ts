import { validateEnvironment } from './env.schema';

describe('validateEnvironment: a wrong or missing value stops the start with one clear message', () => {
  it('gives working defaults on a bare machine', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATABASE_POOL_SIZE: 10,
      HMAC_WINDOW_SECONDS: 300,
      AUTH_MAX_FAILURES: 5,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('converts strings from the environment', () => {
    const env = validateEnvironment({
      PORT: '8080',
      JOBS_ENABLED: 'false',
      OUTBOX_RELAY_ENABLED: '0',
      DATABASE_URL: 'postgres://u@h:5432/db',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      JOBS_ENABLED: false,
      OUTBOX_RELAY_ENABLED: false,
      DATABASE_URL: 'postgres://u@h:5432/db',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT="eighty": PORT must be an integer/],
    [{ PORT: '70000' }, /PORT="70000"/],
    [
      { DATABASE_URL: 'mysql://x' },
      /DATABASE_URL=\(hidden\): must be a postgres:\/\/ or postgresql:\/\/ URL/,
    ],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET=\(hidden\): must be at least 32 characters/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud"/],
    [{ JOBS_ENABLED: 'maybe' }, /JOBS_ENABLED="maybe"/],
    [
      { NODE_ENV: 'production' },
      /JWT_SECRET=\(unset\): is required when NODE_ENV=production[\s\S]*DATA_ENCRYPTION_KEY=\(unset\)/,
    ],
  ])('refuses %j naming the variable', (raw, message) => {
    expect(() => validateEnvironment(raw)).toThrow(message);
  });

  it('reports every bad variable in one message and never prints a secret', () => {
    let message = '';
    try {
      validateEnvironment({ PORT: '-1', BODY_LIMIT: 'huge', JWT_SECRET: 'tiny-secret-value' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration/);
    expect(message).toContain('PORT=');
    expect(message).toContain('BODY_LIMIT=');
    expect(message).toContain('JWT_SECRET=(hidden)');
    expect(message).not.toContain('tiny-secret-value');
  });
});
