import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { hostname } from 'node:os';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '../../platform/config/app-config';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { decodePlain, type DecodedMessage } from '../engine/machine-message';
import { IngestWriter, type IngestItem, type WriteOutcome } from './ingest-writer';
import { isSparkplugTopic, SparkplugDecoder } from './sparkplug-decoder';

/** Topics machine data subscribes to: the plain JSON convention and Sparkplug B. */
export const MACHINE_TOPICS = ['mom/#', 'spBv1.0/#'] as const;

/** Messages written per transaction, and how long a message may wait for its batch. */
const BATCH_MAX = 2000;
const BATCH_WAIT_MS = 50;
/** Unacknowledged messages the broker may send ahead (MQTT 5 Receive Maximum). */
const RECEIVE_MAXIMUM = 20_000;
/**
 * Some brokers (Mosquitto 2.0.11) send past the Receive Maximum once acknowledgements flow: at this many
 * waiting messages the service stops reading from the broker (TCP back-pressure keeps the rest there) and
 * reads on once half of them are stored.
 */
const HIGH_WATER = 20_000;
/** Tells mqtt.js not to acknowledge (one instance: an Error's stack trace costs more than the message). */
const ACK_LATER = new Error('acknowledged after the batch commits');

interface Pending extends IngestItem {
  /** QoS 1 packet id to acknowledge once stored (undefined for QoS 0). */
  messageId?: number;
}

export interface IngestStatus {
  enabled: boolean;
  connected: boolean;
  url: string | null;
  clientId: string | null;
  received: number;
  written: number;
  stored: number;
  duplicates: number;
  unknown: number;
  rejected: number;
  pending: number;
  failedBatches: number;
  lastError: string | null;
  lastBatchAt: string | null;
  /** Receipt → commit, milliseconds, over the last 10,000 messages. */
  latencyMs: { p50: number; p99: number; max: number } | null;
}

/**
 * Machine data from the MQTT broker (`MQTT_URL`): subscribes with QoS 1 on a persistent session (MQTT 5, a
 * session that outlives restarts), decodes plain JSON and Sparkplug B as messages arrive (Sparkplug aliases
 * depend on order), and writes them in batches. A message is acknowledged to the broker only after its batch
 * has committed — a crash before that and the broker delivers it again, which the series recognises — so
 * nothing acknowledged is lost and nothing is counted twice. When the database is down the batch is retried and
 * the broker stops sending once RECEIVE_MAXIMUM messages wait unacknowledged.
 */
@Injectable()
export class MqttIngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MqttIngestService.name);
  private client: MqttClient | null = null;
  private readonly sparkplug = new SparkplugDecoder();
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryDelay = 0;
  private stopped = false;
  private readonly rebirthAsked = new Map<string, number>();
  /** mqtt.js's "next packet" while reading is paused for back-pressure. */
  private resumeReading: (() => void) | null = null;
  private readonly latencies: number[] = [];
  private latencyAt = 0;
  private readonly totals = { received: 0, written: 0, stored: 0, duplicates: 0, unknown: 0, rejected: 0 };
  private failedBatches = 0;
  private lastError: string | null = null;
  private lastBatchAt: Date | null = null;
  private readonly messages: Counter<'outcome'>;

  constructor(
    private readonly config: AppConfig,
    private readonly writer: IngestWriter,
    metrics: MetricsService,
  ) {
    this.messages = new Counter({
      name: 'mom_machine_messages_total',
      help: 'Machine data messages by outcome (stored values, duplicates, unknown tags, rejected messages)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    const pending = () => this.queue.length;
    new Gauge({
      name: 'mom_machine_messages_pending',
      help: 'Machine data messages received and not yet stored (unacknowledged to the broker)',
      registers: [metrics.registry],
      collect() {
        this.set(pending());
      },
    });
  }

  onApplicationBootstrap(): void {
    const url = this.config.get('MQTT_URL');
    if (!url) return;
    this.start(url);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // What is received is written (and acknowledged) before the connection closes; the rest stays with the broker.
    await this.flushing;
    if (this.queue.length > 0) await this.flush().catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync().catch(() => undefined);
  }

  get clientId(): string {
    return this.config.get('MQTT_CLIENT_ID') ?? `mom-${hostname()}`;
  }

  status(): IngestStatus {
    return {
      enabled: this.client !== null,
      connected: this.client?.connected ?? false,
      url: this.client ? redact(this.config.get('MQTT_URL') ?? '') : null,
      clientId: this.client ? this.clientId : null,
      ...this.totals,
      pending: this.queue.length,
      failedBatches: this.failedBatches,
      lastError: this.lastError,
      lastBatchAt: this.lastBatchAt?.toISOString() ?? null,
      latencyMs: percentiles(this.latencies),
    };
  }

  private start(url: string): void {
    const share = this.config.get('MQTT_SHARE_GROUP');
    const options: IClientOptions = {
      clientId: this.clientId,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 7 * 86_400, receiveMaximum: RECEIVE_MAXIMUM },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // Subscribed on connect when the broker has no session for us (first start, or a broker that lost it).
      resubscribe: false,
    };
    const client = connect(url, options);
    this.client = client;
    // Acknowledged only once stored: the next message is taken at once, the PUBACK is sent after the commit.
    client.handleMessage = (packet, done) => {
      const payload = packet.payload as Buffer;
      this.enqueue(packet.topic, payload, Date.now(), packet.qos > 0 ? packet.messageId : undefined);
      // An error here tells mqtt.js not to acknowledge; it goes on with the next packet all the same.
      const next = () => done(ACK_LATER);
      if (this.queue.length >= HIGH_WATER) this.resumeReading = next;
      else next();
    };
    client.on('connect', (ack) => {
      this.logger.log(
        `connected to ${redact(url)} as ${this.clientId} (session ${ack.sessionPresent ? 'resumed' : 'new'})`,
      );
      const topics = MACHINE_TOPICS.map((t) => (share ? `$share/${share}/${t}` : t));
      if (!ack.sessionPresent) {
        client.subscribe(topics, { qos: 1 }, (err) => {
          if (err) this.logger.error(`subscribing to ${topics.join(', ')} failed: ${err.message}`);
        });
      }
    });
    client.on('error', (err) => {
      this.lastError = err.message;
      this.logger.warn(`MQTT: ${err.message}`);
    });
    client.on('offline', () => this.logger.warn(`MQTT broker ${redact(url)} unreachable; reconnecting`));
  }

  private enqueue(
    topic: string,
    payload: Uint8Array,
    receivedAt: number,
    messageId: number | undefined,
  ): void {
    this.totals.received++;
    const decoded = this.decode(topic, payload, receivedAt);
    this.queue.push({ topic, payload, receivedAt, decoded, messageId });
    this.schedule(this.queue.length >= BATCH_MAX ? 0 : BATCH_WAIT_MS);
  }

  private decode(topic: string, payload: Uint8Array, receivedAt: number): DecodedMessage {
    if (isSparkplugTopic(topic)) {
      const d = this.sparkplug.decode(topic, payload, receivedAt);
      if (d.kind === 'rejected' && d.reason.startsWith('unknown alias')) this.askRebirth(topic);
      return d;
    }
    return decodePlain(topic, payload, receivedAt);
  }

  /** Data with aliases we cannot resolve (we started after the node's birth): ask the edge node to rebirth. */
  private askRebirth(topic: string): void {
    const [ns, group, , edge] = topic.split('/');
    if (!group || !edge || !this.client?.connected) return;
    const node = `${group}/${edge}`;
    const last = this.rebirthAsked.get(node) ?? 0;
    if (Date.now() - last < 60_000) return;
    this.rebirthAsked.set(node, Date.now());
    const payload = SparkplugDecoder.rebirthRequest();
    this.client.publish(`${ns}/${group}/NCMD/${edge}`, payload, { qos: 0 });
    this.logger.log(`asked Sparkplug edge node ${node} to rebirth (data with unknown aliases)`);
  }

  private schedule(delay: number): void {
    if (this.stopped && delay > 0) return;
    if (this.flushing) return;
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0)
          this.schedule(this.retryDelay || (this.queue.length >= BATCH_MAX ? 0 : BATCH_WAIT_MS));
      });
    }, delay);
  }

  private async flush(): Promise<void> {
    const batch = this.queue.slice(0, BATCH_MAX);
    if (batch.length === 0) return;
    let outcome: WriteOutcome;
    try {
      outcome = await this.writer.write(batch);
    } catch (err) {
      // Nothing acknowledged: the batch stays first in line and is written again (the broker keeps it too).
      this.failedBatches++;
      this.lastError = err instanceof Error ? err.message : String(err);
      this.retryDelay = Math.min(10_000, Math.max(500, this.retryDelay * 2));
      this.logger.warn(
        `storing ${batch.length} machine messages failed (${this.lastError}); retrying in ${this.retryDelay} ms`,
      );
      return;
    }
    this.retryDelay = 0;
    this.queue.splice(0, batch.length);
    if (this.resumeReading && this.queue.length < HIGH_WATER / 2) {
      const resume = this.resumeReading;
      this.resumeReading = null;
      resume();
    }
    const now = Date.now();
    this.lastBatchAt = new Date(now);
    this.totals.written += batch.length;
    this.totals.stored += outcome.stored;
    this.totals.duplicates += outcome.duplicates;
    this.totals.unknown += outcome.unknown;
    this.totals.rejected += outcome.rejected;
    this.messages.inc({ outcome: 'stored' }, outcome.stored);
    this.messages.inc({ outcome: 'duplicate' }, outcome.duplicates);
    this.messages.inc({ outcome: 'unknown' }, outcome.unknown);
    this.messages.inc({ outcome: 'rejected' }, outcome.rejected);
    const ids: number[] = [];
    for (const item of batch) {
      this.recordLatency(now - item.receivedAt);
      if (item.messageId !== undefined) ids.push(item.messageId);
    }
    this.acknowledge(ids);
  }

  /**
   * PUBACKs for stored messages, in the order they came (MQTT requires it for QoS 1), as one write: an MQTT 5
   * PUBACK without reason code is four bytes (0x40, length 2, packet id) and means success. Not connected: the
   * broker delivers them again on reconnection, and they are recognised as stored.
   */
  private acknowledge(ids: readonly number[]): void {
    const client = this.client;
    const stream = (
      client as unknown as { stream?: { writable?: boolean; write(b: Buffer): boolean } } | null
    )?.stream;
    if (ids.length === 0 || !client?.connected || !stream?.writable) return;
    const buf = Buffer.allocUnsafe(ids.length * 4);
    ids.forEach((id, i) => {
      buf[i * 4] = 0x40;
      buf[i * 4 + 1] = 2;
      buf.writeUInt16BE(id, i * 4 + 2);
    });
    stream.write(buf);
  }

  private recordLatency(ms: number): void {
    if (this.latencies.length < 10_000) this.latencies.push(ms);
    else this.latencies[this.latencyAt++ % 10_000] = ms;
  }

  /** Forgets the latency window (benchmarks measure one run at a time). */
  resetLatencies(): void {
    this.latencies.length = 0;
    this.latencyAt = 0;
  }
}

function percentiles(values: readonly number[]): IngestStatus['latencyMs'] {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
