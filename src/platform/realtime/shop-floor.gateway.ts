import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { JwtTokenService } from '../auth/jwt-token.service';
import type { Principal } from '../auth/principal';
import { RealtimePublisher } from './realtime-publisher';
import { RoomAccessRegistry } from './room-access';
import { parseRoom, roleRoom } from './shop-floor-events';

interface SocketData {
  principal: Principal;
}

export interface SubscribeResult {
  joined: string[];
  refused: Array<{ room: string; reason: string }>;
}

/**
 * `/shop-floor`: the JWT is checked at the handshake (`auth.token` or an `Authorization: Bearer` header);
 * without a valid one the connection is refused. A client is put in its user, role and site rooms and may
 * subscribe to more (line, workcenter, equipment, workorder) if allowed. Clients only listen here: all
 * changes go through HTTP.
 */
@WebSocketGateway({ namespace: '/shop-floor', cors: { origin: true, credentials: true } })
export class ShopFloorGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket> {
  private readonly logger = new Logger(ShopFloorGateway.name);

  constructor(
    private readonly tokens: JwtTokenService,
    private readonly rooms: RoomAccessRegistry,
    private readonly publisher: RealtimePublisher,
  ) {}

  afterInit(namespace: Namespace): void {
    this.publisher.attach(namespace);
    namespace.use((socket, next) => {
      const token = bearer(socket);
      if (!token) return next(new Error('unauthorized: an access token is required'));
      this.tokens.principalFromToken(token).then(
        (principal) => {
          (socket.data as SocketData).principal = principal;
          next();
        },
        () => next(new Error('unauthorized: the access token is invalid or expired')),
      );
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const p = (socket.data as SocketData).principal;
    await socket.join([
      `user:${p.id}`,
      ...p.roles.flatMap((r) => p.siteIds.map((s) => roleRoom(r, s))),
      ...p.siteIds.map((s) => `site:${s}`),
    ]);
    socket.emit('ready', { rooms: [...socket.rooms].filter((r) => r !== socket.id) });
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SubscribeResult> {
    const p = (socket.data as SocketData).principal;
    const requested = (body as { rooms?: unknown } | null)?.rooms;
    const result: SubscribeResult = { joined: [], refused: [] };
    if (!Array.isArray(requested) || requested.length === 0 || requested.length > 100) {
      result.refused.push({ room: '', reason: 'send {rooms: string[]} with 1 to 100 rooms' });
      return result;
    }
    for (const room of requested) {
      const parsed = parseRoom(room);
      if (!parsed) {
        result.refused.push({ room: String(room).slice(0, 120), reason: 'unknown room format' });
      } else if (await this.rooms.mayJoin(p, parsed.kind, parsed.id)) {
        await socket.join(room as string);
        result.joined.push(room as string);
      } else {
        result.refused.push({ room: room as string, reason: 'forbidden' });
      }
    }
    return result;
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<{ left: string[] }> {
    const requested = (body as { rooms?: unknown } | null)?.rooms;
    const left: string[] = [];
    for (const room of Array.isArray(requested) ? requested.slice(0, 100) : []) {
      if (typeof room === 'string' && socket.rooms.has(room)) {
        await socket.leave(room);
        left.push(room);
      }
    }
    return { left };
  }
}

function bearer(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth.length > 0) return fromAuth.replace(/^Bearer\s+/i, '');
  const header = socket.handshake.headers.authorization;
  return typeof header === 'string' && /^Bearer\s+/i.test(header)
    ? header.replace(/^Bearer\s+/i, '')
    : undefined;
}
