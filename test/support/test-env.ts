// Settings every test app starts with; a test may override per instance (see startTestApp).
process.env.NODE_ENV = 'test';
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
process.env.DATABASE_POOL_SIZE = '4';
process.env.JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
process.env.DATA_ENCRYPTION_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.JOBS_ENABLED = 'false';
process.env.SEED_DEMO = 'false';
process.env.OUTBOX_POLL_INTERVAL_MS = '50';
process.env.DATA_DIR = 'memory://';
