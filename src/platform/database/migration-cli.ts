import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataSource, getMetadataArgsStorage } from 'typeorm';
import { AppModule } from '../../app.module';
import { validateEnvironment } from '../config/env.schema';
import { buildDataSourceOptions, bindEndpointLifetime } from './data-source.factory';
import { startEmbeddedPostgres, type DatabaseEndpoint } from './embedded-postgres';
import { withStartupLock } from './startup-lock';

/**
 * npm run migration:run | migration:revert | migration:show | migration:generate -- migrations/Name
 * Uses DATABASE_URL, or the embedded database under DATA_DIR. `generate` diffs the entities against a
 * database with every migration applied (a throw-away embedded one when DATABASE_URL is not set).
 */
async function main(): Promise<void> {
  const [command, arg] = process.argv.slice(2);
  const env = validateEnvironment(process.env);
  void AppModule; // importing the module tree registers every entity
  const entities = getMetadataArgsStorage().tables.map((t) => t.target);
  const dataDir =
    command === 'generate' && !env.DATABASE_URL ? 'memory://' : join(resolve(env.DATA_DIR), 'pglite');
  const endpoint: DatabaseEndpoint = env.DATABASE_URL
    ? { url: env.DATABASE_URL, embedded: false, stop: () => Promise.resolve() }
    : await startEmbeddedPostgres(dataDir);
  const ds = bindEndpointLifetime(
    new DataSource(
      buildDataSourceOptions({
        endpoint,
        poolSize: 2,
        statementTimeoutMs: 600000,
        applicationName: 'mom-suite:migrations',
        entities,
      }),
    ),
    endpoint,
  );
  await ds.initialize();
  try {
    switch (command) {
      case 'run': {
        // Waits for a starting instance that is migrating the same database.
        const done = await withStartupLock(ds, 'migrations', () => ds.runMigrations({ transaction: 'each' }));
        console.log(
          done.length ? `Applied: ${done.map((m) => m.name).join(', ')}` : 'No pending migrations.',
        );
        break;
      }
      case 'revert':
        await ds.undoLastMigration({ transaction: 'each' });
        console.log('Reverted the last migration.');
        break;
      case 'show':
        console.log(
          (await ds.showMigrations()) ? 'There are pending migrations.' : 'The schema is up to date.',
        );
        break;
      case 'generate':
        await generate(ds, arg);
        break;
      default:
        throw new Error('usage: migration-cli run|revert|show|generate migrations/Name');
    }
  } finally {
    await ds.destroy();
  }
}

async function generate(ds: DataSource, target: string | undefined): Promise<void> {
  if (!target || !/^[A-Za-z][A-Za-z0-9]*$/.test(basename(target)))
    throw new Error('give a path like migrations/AddWorkOrders');
  await ds.runMigrations({ transaction: 'each' });
  const sql = await ds.driver.createSchemaBuilder().log();
  if (sql.upQueries.length === 0) {
    console.log('No changes: the entities match the migrations.');
    return;
  }
  const name = basename(target);
  const stamp = Date.now();
  const className = `${name}${stamp}`;
  const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  const lines = (queries: Array<{ query: string; parameters?: unknown[] }>) =>
    queries
      .map(
        (x) =>
          `    await queryRunner.query(${q(x.query)}${x.parameters?.length ? `, ${JSON.stringify(x.parameters)}` : ''});`,
      )
      .join('\n');
  const file = resolve('migrations', `${stamp}-${name}.ts`);
  writeFileSync(
    file,
    `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${lines(sql.upQueries)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${lines([...sql.downQueries].reverse())}
  }
}
`,
  );
  const indexFile = resolve('migrations', 'index.ts');
  const index = readFileSync(indexFile, 'utf8')
    .replace(
      /(import type \{ MigrationInterface \} from 'typeorm';\n)/,
      `$1import { ${className} } from './${stamp}-${name}';\n`,
    )
    .replace(/(export const MIGRATIONS[^\n]*? = \[)([^\]]*)\]/, (_m, head: string, body: string) => {
      const items = body
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return `${head}${[...items, className].join(', ')}]`;
    });
  writeFileSync(indexFile, index);
  console.log(`Wrote ${file} (${sql.upQueries.length} statements); review it before committing.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
