import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * Socket.IO over Redis pub/sub, so a push from one instance reaches clients connected to any instance. The
 * channels start with `<keyPrefix>:socket.io`: pub/sub ignores Redis database numbers, so the prefix is what
 * keeps two deployments on one Redis apart.
 */
export class RedisIoAdapter extends IoAdapter {
  private adapterConstructor?: ReturnType<typeof createAdapter>;
  private clients: Array<{ isOpen: boolean; quit(): Promise<unknown> }> = [];

  constructor(
    app: INestApplicationContext,
    private readonly url: string,
    private readonly keyPrefix: string,
  ) {
    super(app);
  }

  async connect(): Promise<void> {
    const pub = createClient({ url: this.url });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    this.clients = [pub, sub];
    this.adapterConstructor = createAdapter(pub, sub, { key: `${this.keyPrefix}:socket.io` });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options);
    if (this.adapterConstructor) server.adapter(this.adapterConstructor);
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.all(this.clients.filter((c) => c.isOpen).map((c) => c.quit().catch(() => undefined)));
  }
}
