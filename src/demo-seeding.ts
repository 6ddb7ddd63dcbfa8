import { type INestApplicationContext, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEMO_SITE, DEMO_TERMINAL, seedDemoFactory, type DemoSeedResult } from '../seeds/demo-factory';
import { AppConfig } from './platform/config/app-config';
import { withStartupLock } from './platform/database/startup-lock';

export const DEFAULT_DEMO_PASSWORD = 'mom-demo';

/** At start: the demo factory goes into an empty database unless SEED_DEMO=false (production: only if true). */
export async function seedIfEmpty(app: INestApplicationContext): Promise<DemoSeedResult | undefined> {
  const config = app.get(AppConfig);
  const setting = config.get('SEED_DEMO');
  if (setting === false || (config.isProduction && setting !== true)) return undefined;
  const dataSource = app.get(DataSource);
  // Instances started together on an empty database seed one after another: the second sees the first's sites.
  return withStartupLock(dataSource, 'demo-seed', async () => {
    const sites = await dataSource.query<unknown[]>('SELECT 1 FROM site LIMIT 1');
    if (sites.length > 0) return undefined;
    return seedAndReport(app);
  });
}

export async function seedAndReport(app: INestApplicationContext): Promise<DemoSeedResult> {
  const password = app.get(AppConfig).get('DEMO_PASSWORD') ?? DEFAULT_DEMO_PASSWORD;
  const result = await seedDemoFactory(app, password);
  const logger = new Logger('DemoFactory');
  if (result.created) {
    logger.log(
      `Demo factory ${DEMO_SITE.code} created (${Object.entries(result.counts ?? {})
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ', ',
        )}). Sign in as ${result.users.map((u) => u.username).join(', ')} with password "${password}"; ` +
        `terminal ${DEMO_TERMINAL.code} (device key ${DEMO_TERMINAL.deviceKey}), operator badge B1001 / PIN 1234.`,
    );
  } else {
    logger.log(`Demo factory ${DEMO_SITE.code} is already there; nothing changed.`);
  }
  return result;
}
