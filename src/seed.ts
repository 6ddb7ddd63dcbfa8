import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { validateEnvironment } from './platform/config/env.schema';
import { createPino, PinoLoggerService } from './platform/logging/pino-logger';
import { seedAndReport } from './demo-seeding';

/** `npm run seed`: loads the demo factory into the configured database (skipped if it is already there). */
async function main(): Promise<void> {
  process.env.OUTBOX_RELAY_ENABLED = 'false';
  process.env.JOBS_ENABLED = 'false';
  const env = validateEnvironment(process.env);
  const app = await NestFactory.createApplicationContext(AppModule, {
    logger: new PinoLoggerService(createPino(env.LOG_LEVEL, env.LOG_PRETTY)),
    abortOnError: false,
  });
  try {
    const result = await seedAndReport(app);
    process.stdout.write(
      result.created
        ? `Demo users: ${result.users.map((u) => u.username).join(', ')}; password: ${env.DEMO_PASSWORD ?? 'mom-demo'}\n`
        : 'The demo factory is already in this database.\n',
    );
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Seeding failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
