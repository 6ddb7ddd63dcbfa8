import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { hostname } from 'node:os';
import { environment } from './environment';
import type { EnvironmentVariables } from './env.schema';

/** Typed read access to the configuration validated at boot. */
@Injectable()
export class AppConfig {
  constructor(@Inject(environment.KEY) private readonly env: ConfigType<typeof environment>) {}

  get<K extends keyof EnvironmentVariables>(key: K): EnvironmentVariables[K] {
    return this.env[key];
  }

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }

  get instanceId(): string {
    return this.env.INSTANCE_ID ?? `${hostname()}-${process.pid}`;
  }
}
