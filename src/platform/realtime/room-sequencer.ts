import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createClient } from 'redis';
import { AppConfig } from '../config/app-config';

/**
 * Per-room sequence numbers. With REDIS_URL they live in Redis (INCR on
 * `<REDIS_KEY_PREFIX>:shop-floor:seq:<room>`), shared by every instance and kept across restarts; without it
 * the service runs as one instance and keeps them in memory.
 */
@Injectable()
export class RoomSequencer implements OnModuleDestroy {
  private readonly logger = new Logger(RoomSequencer.name);
  private readonly local = new Map<string, number>();
  private redis?: ReturnType<typeof createClient>;
  private connecting?: Promise<unknown>;
  private readonly keyPrefix: string;

  constructor(config: AppConfig) {
    this.keyPrefix = `${config.get('REDIS_KEY_PREFIX')}:shop-floor:seq:`;
    const url = config.get('REDIS_URL');
    if (url) {
      this.redis = createClient({ url });
      this.redis.on('error', (err: unknown) => this.logger.warn({ err }, 'redis (room sequencer) error'));
      this.connecting = this.redis.connect();
    }
  }

  async next(room: string): Promise<number> {
    if (this.redis) {
      await this.connecting;
      return this.redis.incr(this.keyPrefix + room);
    }
    const n = (this.local.get(room) ?? 0) + 1;
    this.local.set(room, n);
    return n;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.redis?.isOpen) await this.redis.quit().catch(() => undefined);
  }
}
