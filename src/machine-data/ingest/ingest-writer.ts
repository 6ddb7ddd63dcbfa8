import { Injectable, Logger } from '@nestjs/common';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import type { DecodedMessage, Sample } from '../engine/machine-message';
import { MachineEffects, type FreshSample } from './machine-effects';
import { TagRegistry, type TagInfo } from '../tags/tag-registry';

/** One message as it came off the broker, decoded. */
export interface IngestItem {
  topic: string;
  payload: Uint8Array;
  receivedAt: number;
  decoded: DecodedMessage;
}

export interface WriteOutcome {
  messages: number;
  samples: number;
  /** Values stored for the first time (a redelivered value is stored once). */
  stored: number;
  duplicates: number;
  unknown: number;
  rejected: number;
  /** Machines whose effects failed and were undone (their values are stored). */
  failedMachines: number;
}

/**
 * Writes a batch of machine messages in one transaction: the values into the time series (a redelivered value
 * is recognised by tag and timestamp and stored once), unknown tags and unreadable messages for the set-up
 * lists, connection changes, and then — per machine, each in its own savepoint so one machine's failure
 * leaves the others' — what the new values mean: state changes and downtime, counts, meters, limit alarms.
 * The broker is acknowledged only after this commits.
 */
@Injectable()
export class IngestWriter {
  private readonly logger = new Logger(IngestWriter.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly registry: TagRegistry,
    private readonly effects: MachineEffects,
  ) {}

  async write(items: readonly IngestItem[]): Promise<WriteOutcome> {
    const registry = await this.registry.current();
    const known = new Map<string, { tag: TagInfo; sample: Sample }>();
    const unknown = new Map<
      string,
      { source: string; metric: string; siteCode: string; n: number; last: string }
    >();
    const rejected: Array<{ topic: string; reason: string; payload: string }> = [];
    const connections: Array<{ source: string; online: boolean; ts: number }> = [];
    let samples = 0;
    let knownSamples = 0;
    for (const item of items) {
      const d = item.decoded;
      if (d.kind === 'rejected') {
        rejected.push({
          topic: item.topic.slice(0, 500),
          reason: d.reason.slice(0, 500),
          payload: excerpt(item.payload),
        });
        continue;
      }
      if (d.kind === 'ignored') continue;
      if (d.kind === 'connection') connections.push(...d.changes);
      for (const s of d.samples) {
        samples++;
        const tag = registry.tag(s.source, s.metric);
        if (!tag) {
          const k = TagRegistry.key(s.source, s.metric);
          const u = unknown.get(k) ?? {
            source: s.source,
            metric: s.metric,
            siteCode: d.siteCode,
            n: 0,
            last: '',
          };
          u.n++;
          u.last = String(s.value).slice(0, 200);
          unknown.set(k, u);
          continue;
        }
        // The same tag and instant twice in one batch (a redelivery): stored once.
        knownSamples++;
        known.set(`${tag.id}|${s.ts}`, { tag, sample: s });
      }
    }

    return this.tx.run(async (tx) => {
      const fresh = await this.storeValues(tx, [...known.values()]);
      if (unknown.size > 0) await this.countUnknown(tx, [...unknown.values()]);
      if (rejected.length > 0) await this.storeRejected(tx, rejected);
      if (connections.length > 0) await this.effects.connections(tx, connections);
      const failedMachines = await this.effects.applyBatch(tx, fresh);
      return {
        messages: items.length,
        samples,
        stored: fresh.length,
        duplicates: knownSamples - fresh.length,
        unknown: [...unknown.values()].reduce((n, u) => n + u.n, 0),
        rejected: rejected.length,
        failedMachines,
      };
    });
  }

  /** Inserts the values; answers those stored now (not before: a redelivery). */
  private async storeValues(tx: Tx, rows: Array<{ tag: TagInfo; sample: Sample }>): Promise<FreshSample[]> {
    if (rows.length === 0) return [];
    const ids: string[] = [];
    const ts: string[] = [];
    const values: Array<number | null> = [];
    const texts: Array<string | null> = [];
    for (const { tag, sample } of rows) {
      ids.push(tag.id);
      ts.push(new Date(sample.ts).toISOString());
      const v = sample.value;
      if (typeof v === 'number') {
        values.push(v);
        texts.push(null);
      } else if (typeof v === 'boolean') {
        values.push(v ? 1 : 0);
        texts.push(String(v));
      } else {
        const n = v.trim() === '' ? NaN : Number(v);
        values.push(Number.isFinite(n) ? n : null);
        texts.push(v.slice(0, 200));
      }
    }
    // Times come back as epoch milliseconds: cheaper to read than timestamps, and exact to the millisecond.
    const inserted = await tx.manager.query<Array<{ tag_id: string; ms: string }>>(
      `INSERT INTO machine_tag_value (tag_id, ts, value, text)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::float8[], $4::text[])
       ON CONFLICT DO NOTHING
       RETURNING tag_id, round(extract(epoch FROM ts) * 1000)::bigint::text AS ms`,
      [ids, ts, values, texts],
    );
    const stored = new Set(inserted.map((r) => `${r.tag_id}|${r.ms}`));
    return rows
      .filter(({ tag, sample }) => stored.has(`${tag.id}|${sample.ts}`))
      .map(({ tag, sample }) => ({ tag, ts: sample.ts, value: sample.value }));
  }

  private async countUnknown(
    tx: Tx,
    rows: Array<{ source: string; metric: string; siteCode: string; n: number; last: string }>,
  ): Promise<void> {
    await tx.manager.query(
      `INSERT INTO machine_unknown_tag AS u (source, metric, site_code, messages, last_value)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
       ON CONFLICT (source, metric) DO UPDATE
         SET messages = u.messages + excluded.messages, last_seen_at = now(), last_value = excluded.last_value`,
      [
        rows.map((r) => r.source.slice(0, 300)),
        rows.map((r) => r.metric.slice(0, 100)),
        rows.map((r) => r.siteCode.slice(0, 100)),
        rows.map((r) => r.n),
        rows.map((r) => r.last),
      ],
    );
  }

  private async storeRejected(
    tx: Tx,
    rows: Array<{ topic: string; reason: string; payload: string }>,
  ): Promise<void> {
    await tx.manager.query(
      `INSERT INTO machine_rejected_message (topic, reason, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [rows.map((r) => r.topic), rows.map((r) => r.reason), rows.map((r) => r.payload)],
    );
  }
}

/** The start of a payload as text when it is printable, else as hex. */
function excerpt(payload: Uint8Array): string {
  const head = payload.subarray(0, 240);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) return text.slice(0, 500);
  return `hex:${Buffer.from(head).toString('hex')}`.slice(0, 500);
}
