import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { TypeOrmLogger } from './typeorm-logger';
import type { DatabaseEndpoint } from './embedded-postgres';
import { markEmbedded } from './prepared-query';

export interface DataSourceSettings {
  endpoint: DatabaseEndpoint;
  poolSize: number;
  statementTimeoutMs: number;
  applicationName: string;
  entities?: DataSourceOptions['entities'];
}

/** The one place TypeORM is configured; used by the app, the migration CLI and the tests. */
export function buildDataSourceOptions(s: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: s.endpoint.url,
    entities: s.entities ?? [],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    migrationsRun: false,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 1000,
    extra: {
      max: s.poolSize,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: s.applicationName,
      // PGlite ignores server settings it does not know; PostgreSQL bounds runaway statements. JIT off: its
      // compilation (tens of ms) only pays for long analytical scans, and it kicks in on the app's short
      // statements over thousands of ids (a recall) on cost estimates alone.
      ...(s.endpoint.embedded ? {} : { statement_timeout: s.statementTimeoutMs, options: '-c jit=off' }),
    },
  };
}

/** Destroying the data source also stops an embedded server, in that order. */
export function bindEndpointLifetime(dataSource: DataSource, endpoint: DatabaseEndpoint): DataSource {
  if (endpoint.embedded) markEmbedded(dataSource);
  const destroy = dataSource.destroy.bind(dataSource);
  dataSource.destroy = async () => {
    try {
      if (dataSource.isInitialized) await destroy();
    } finally {
      await endpoint.stop();
    }
  };
  return dataSource;
}
