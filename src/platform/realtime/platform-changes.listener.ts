import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../events/domain-event-bus';
import { RealtimePublisher } from './realtime-publisher';

/** After commit: tells a site's screens its settings changed; drops a user's sockets when their access changed. */
@Injectable()
export class PlatformChangesListener implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.bus.on('platform.site.updated', (e) =>
      this.publisher.emit(`site:${e.payload.siteId}`, 'site.changed', e.payload),
    );
    // Rooms are granted at the handshake; a reconnect re-reads roles and sites, so revoked rooms are left.
    this.bus.on('platform.user.updated', (e) => this.publisher.disconnectRoom(`user:${e.payload.userId}`));
  }
}
