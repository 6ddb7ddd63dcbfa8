import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { join, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainEventBus } from '../events/domain-event-bus';
import { buildDataSourceOptions, bindEndpointLifetime } from './data-source.factory';
import { DatabaseEndpoint, startEmbeddedPostgres } from './embedded-postgres';
import { withStartupLock } from './startup-lock';
import { TransactionRunner } from './transaction-runner';

export async function resolveEndpoint(config: AppConfig): Promise<DatabaseEndpoint> {
  const url = config.get('DATABASE_URL');
  if (url) return { url, embedded: false, stop: () => Promise.resolve() };
  const dir = config.get('DATA_DIR');
  const location = dir.startsWith('memory://') ? dir : join(resolve(dir), 'pglite');
  new Logger('Database').log(`DATABASE_URL not set: starting embedded PostgreSQL (PGlite) in ${location}`);
  return startEmbeddedPostgres(location);
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const endpoint = await resolveEndpoint(config);
        const options = buildDataSourceOptions({
          endpoint,
          poolSize: config.get('DATABASE_POOL_SIZE'),
          statementTimeoutMs: config.get('DATABASE_STATEMENT_TIMEOUT_MS'),
          applicationName: `mom-suite:${config.instanceId}`.slice(0, 63),
        });
        return {
          ...options,
          autoLoadEntities: true,
          retryAttempts: 3,
          retryDelay: 2000,
          endpoint,
        } as unknown as TypeOrmModuleOptions;
      },
      dataSourceFactory: async (options) => {
        const { endpoint, ...rest } = options as DataSourceOptions & { endpoint: DatabaseEndpoint };
        const dataSource = new DataSource(rest);
        try {
          await dataSource.initialize();
          // Instances started together take turns: the first migrates, the others find nothing pending.
          await withStartupLock(dataSource, 'migrations', () =>
            dataSource.runMigrations({ transaction: 'each' }),
          );
        } catch (err) {
          // The endpoint stays up: TypeORM retries the connection (and a failed start exits the process).
          if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
          throw err;
        }
        return bindEndpointLifetime(dataSource, endpoint);
      },
    }),
  ],
  providers: [DomainEventBus, TransactionRunner],
  exports: [DomainEventBus, TransactionRunner],
})
export class DatabaseModule {}
