import { Injectable } from '@nestjs/common';

export interface OutboundMessage {
  id: string;
  destination: string;
  messageType: string;
  payload: unknown;
  target: Record<string, unknown>;
  attempts: number;
  correlationId: string;
}

export type DeliveryResult =
  | { outcome: 'delivered'; httpStatus?: number }
  /** Worth trying again later (timeouts, 5xx, 429); retryAfterMs from the receiver when it said so. */
  | { outcome: 'retry'; error: string; httpStatus?: number; retryAfterMs?: number }
  /** The receiver refused the message itself (e.g. 400/422): straight to the dead letters. */
  | { outcome: 'reject'; error: string; httpStatus?: number };

/** Delivers messages of one destination. The WMS bridge, ERP bridge and webhooks each provide one. */
export interface OutboxTransport {
  readonly destination: string;
  deliver(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult>;
}

@Injectable()
export class OutboxTransportRegistry {
  private readonly transports = new Map<string, OutboxTransport>();

  register(transport: OutboxTransport): void {
    this.transports.set(transport.destination, transport);
  }

  get(destination: string): OutboxTransport | undefined {
    return this.transports.get(destination);
  }
}

/** Classifies an HTTP answer the way every HTTP transport should. */
export function classifyHttpStatus(status: number, retryAfterMs?: number, body?: string): DeliveryResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered', httpStatus: status };
  const error = `HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500)
    return { outcome: 'retry', error, httpStatus: status, retryAfterMs };
  return { outcome: 'reject', error, httpStatus: status };
}

/** A request that got no answer (refused, reset, timed out): worth trying again, with the reason. */
export function requestFailed(err: unknown, signal: AbortSignal): DeliveryResult {
  const reason = signal.aborted
    ? 'timed out'
    : err instanceof Error
      ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`
      : String(err);
  return { outcome: 'retry', error: `request failed: ${reason}` };
}
