import type { MigrationInterface } from 'typeorm';
import { PlatformFoundation1795271475224 } from './1795271475224-PlatformFoundation';

/** Every migration, in order. `npm run migration:generate` appends new ones here. */
export const MIGRATIONS: Array<new () => MigrationInterface> = [PlatformFoundation1795271475224];
