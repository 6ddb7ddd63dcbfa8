import type { Role } from '../platform/auth/roles';

export interface TodoOpened {
  todoId: string;
  siteId: string;
  kind: string;
  title: string;
  titleZh: string;
  roles: Role[];
  userId: string | null;
  link: string | null;
  dueAt: string | null;
}

/** A todo was closed: done or dismissed by a person, or done by the system when its cause went away. */
export interface TodoClosed {
  todoId: string;
  siteId: string;
  kind: string;
  status: 'done' | 'dismissed';
  roles: Role[];
  userId: string | null;
  closedBy: string | null;
}

/** A rule fired (its firing record says what each action did). */
export interface RuleFired {
  firingId: string;
  siteId: string;
  rule: string;
  trigger: string;
  outcome: 'done' | 'partial' | 'failed';
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'alerts.todo.opened': TodoOpened;
    'alerts.todo.closed': TodoClosed;
    'alerts.rule.fired': RuleFired;
  }
}

declare module '../platform/realtime/shop-floor-events' {
  interface ShopFloorEventMap {
    /** A todo left the open list (its roles' and person's todo counts drop). */
    'todo.closed': { todoId: string; siteId: string; status: 'done' | 'dismissed'; closedBy: string | null };
    /** A rule's `notify` action, to the rooms it names. */
    'rule.notification': {
      siteId: string;
      rule: string;
      message: string;
      messageZh: string;
      subject: { type: string; id: string };
    };
  }
}
