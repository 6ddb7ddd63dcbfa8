import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { seedIfEmpty } from './demo-seeding';
import { AppConfig } from './platform/config/app-config';
import { validateEnvironment } from './platform/config/env.schema';

async function main(): Promise<void> {
  try {
    validateEnvironment(process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  const app = await createApp();
  const config = app.get(AppConfig);
  const logger = new Logger('Main');
  await seedIfEmpty(app);
  const grace = config.get('SHUTDOWN_GRACE_MS');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: finishing in-flight requests, stopping workers, closing the database`);
      // Nest's shutdown hooks do the work; this only bounds how long it may take.
      setTimeout(() => process.exit(1), grace).unref();
    });
  }
  await app.listen(config.get('PORT'), '0.0.0.0');
  logger.log(`MOM Suite listening on http://localhost:${config.get('PORT')} (API docs: /api/docs)`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
