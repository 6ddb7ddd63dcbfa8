import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../events/domain-event-bus';
import { RealtimePublisher } from './realtime-publisher';

/** After commit, tells the site's screens that its settings changed. */
@Injectable()
export class SiteChangesListener implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.bus.on('platform.site.updated', (e) =>
      this.publisher.emit(`site:${e.payload.siteId}`, 'site.changed', e.payload),
    );
  }
}
