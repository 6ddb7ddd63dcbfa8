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

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'alerts.todo.opened': TodoOpened;
  }
}
