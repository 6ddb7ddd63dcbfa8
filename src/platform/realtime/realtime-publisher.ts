import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Namespace } from 'socket.io';
import { RoomSequencer } from './room-sequencer';
import type { ShopFloorEnvelope, ShopFloorEvent, ShopFloorEventMap } from './shop-floor-events';

/**
 * Pushes typed events to rooms. Call it from after-commit domain-event listeners only, so a screen never
 * shows a change that was rolled back.
 */
@Injectable()
export class RealtimePublisher {
  private readonly logger = new Logger(RealtimePublisher.name);
  private namespace?: Namespace;

  constructor(private readonly sequencer: RoomSequencer) {}

  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  /** Disconnects every socket in a room, on every instance (with the Redis adapter). */
  disconnectRoom(room: string): void {
    this.namespace?.in(room).disconnectSockets(true);
  }

  async emit<E extends ShopFloorEvent>(
    rooms: string | string[],
    event: E,
    data: ShopFloorEventMap[E],
  ): Promise<void> {
    if (!this.namespace) return;
    const id = randomUUID();
    const at = new Date().toISOString();
    for (const room of Array.isArray(rooms) ? rooms : [rooms]) {
      try {
        const envelope: ShopFloorEnvelope<E> = {
          id,
          event,
          room,
          seq: await this.sequencer.next(room),
          at,
          data,
        };
        this.namespace.to(room).emit(event, envelope);
      } catch (err) {
        this.logger.warn({ err, room, event }, 'realtime push failed');
      }
    }
  }
}
