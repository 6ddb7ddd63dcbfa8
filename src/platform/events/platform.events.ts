/** Events the platform itself emits. */
export interface UserChanged {
  userId: string;
  username: string;
  siteIds: string[];
}

export interface SiteChanged {
  siteId: string;
  code: string;
}

export interface SignatureRecorded {
  signatureId: string;
  entityType: string;
  entityId: string;
  meaning: string;
  signerId: string;
}

export interface OutboxMessageDeadLettered {
  messageId: string;
  destination: string;
  messageType: string;
  attempts: number;
  lastError: string;
}

declare module './domain-events' {
  interface DomainEventMap {
    'platform.user.created': UserChanged;
    'platform.user.updated': UserChanged;
    'platform.site.created': SiteChanged;
    'platform.site.updated': SiteChanged;
    'platform.signature.recorded': SignatureRecorded;
    'platform.outbox.dead_lettered': OutboxMessageDeadLettered;
  }
}
