import type { Actor } from '../context/request-context';

/**
 * The typed map of every in-process domain event. Each module adds its own events by augmenting this
 * interface in its `<module>.events.ts`:
 *
 *   declare module '../platform/events/domain-events' {
 *     interface DomainEventMap { 'production.operation.completed': OperationCompleted }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEventMap {}

export type DomainEventType = keyof DomainEventMap;

export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  id: string;
  type: T;
  occurredAt: string;
  correlationId: string;
  actor?: Actor;
  payload: DomainEventMap[T];
}

export type DomainEventHandler<T extends DomainEventType> = (event: DomainEvent<T>) => Promise<void> | void;
