import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { inTurn } from '../../platform/database/in-turn';

/** A span of time (UTC instants). */
export interface TimeSpan {
  from: Date;
  to: Date;
}

export interface DowntimeSpan extends TimeSpan {
  equipmentId: string;
  downtimeId: string;
  /** downtime_planned or downtime_unplanned. */
  category: string;
  reasonCode: string;
  reasonName: string;
  /** Still stopped: `to` is now. */
  open: boolean;
}

export interface MachineOutput {
  equipmentId: string;
  operationId: string;
  /** The routing's run time per unit on this machine (ideal cycle time), seconds; null when not known. */
  idealCycleSec: string | null;
  goodQty: string;
  scrapQty: string;
}

export interface MachineHistory {
  /** When each machine ran an operation (started … completed, pauses left out), within the range. */
  running: Map<string, TimeSpan[]>;
  downtime: DowntimeSpan[];
  output: MachineOutput[];
  /** Scrap reported per machine and scrap reason code. */
  scrap: Array<{ equipmentId: string; reasonCode: string; quantity: string }>;
}

/**
 * What machines did, read from the shop floor's own records: operations running on them (pauses removed),
 * downtime with reasons, quantities reported with the routing's ideal cycle time. For OEE, reliability and
 * meters fed by production.
 */
@Injectable()
export class MachineHistoryQueries {
  async history(m: EntityManager, equipmentIds: string[], from: Date, to: Date): Promise<MachineHistory> {
    if (equipmentIds.length === 0) return { running: new Map(), downtime: [], output: [], scrap: [] };
    const [running, downtime, output, scrap] = await inTurn(
      () => this.runningRows(m, equipmentIds, from, to),
      () =>
        m.query<
          Array<{
            id: string;
            equipment_id: string;
            started_at: Date;
            ended_at: Date | null;
            category: string;
            code: string;
            name: string;
            now: Date;
          }>
        >(
          `SELECT d.id, d.equipment_id, d.started_at, d.ended_at, d.category,
                  coalesce(r.code, 'UNCLASSIFIED') AS code, coalesce(r.name, 'not classified yet') AS name,
                  now() AS now
           FROM downtime_event d LEFT JOIN reason_code r ON r.id = d.reason_code_id
          WHERE d.equipment_id = ANY($1::uuid[]) AND d.started_at < $3 AND coalesce(d.ended_at, now()) > $2
          ORDER BY d.started_at`,
          [equipmentIds, from, to],
        ),
      () =>
        m.query<
          Array<{
            equipment_id: string;
            operation_id: string;
            cycle: string | null;
            good: string;
            scrap: string;
          }>
        >(
          `SELECT r.equipment_id, r.operation_id, sum(r.good_qty)::text AS good, sum(r.scrap_qty)::text AS scrap,
                (SELECT e->>'runTimePerUnitSec' FROM jsonb_array_elements(o.equipment_options) e
                  WHERE e->>'equipmentId' = r.equipment_id::text LIMIT 1) AS cycle
           FROM operation_report r JOIN work_order_operation o ON o.id = r.operation_id
          WHERE r.equipment_id = ANY($1::uuid[]) AND r.reported_at >= $2 AND r.reported_at < $3
          GROUP BY r.equipment_id, r.operation_id, o.equipment_options
          ORDER BY r.equipment_id, r.operation_id`,
          [equipmentIds, from, to],
        ),
      () =>
        m.query<Array<{ equipment_id: string; code: string; quantity: string }>>(
          `SELECT r.equipment_id, c.code, sum(r.scrap_qty)::text AS quantity
           FROM operation_report r JOIN reason_code c ON c.id = r.scrap_reason_code_id
          WHERE r.equipment_id = ANY($1::uuid[]) AND r.reported_at >= $2 AND r.reported_at < $3 AND r.scrap_qty > 0
          GROUP BY r.equipment_id, c.code ORDER BY r.equipment_id, c.code`,
          [equipmentIds, from, to],
        ),
    );
    const byMachine = new Map<string, TimeSpan[]>();
    for (const r of running) {
      const list = byMachine.get(r.equipment_id) ?? [];
      list.push({ from: r.lo, to: r.hi });
      byMachine.set(r.equipment_id, list);
    }
    return {
      running: byMachine,
      downtime: downtime.map((d) => ({
        equipmentId: d.equipment_id,
        downtimeId: d.id,
        from: d.started_at,
        to: d.ended_at ?? d.now,
        open: d.ended_at === null,
        category: d.category,
        reasonCode: d.code,
        reasonName: d.name,
      })),
      output: output.map((o) => ({
        equipmentId: o.equipment_id,
        operationId: o.operation_id,
        idealCycleSec: o.cycle,
        goodQty: o.good,
        scrapQty: o.scrap,
      })),
      scrap: scrap.map((s) => ({ equipmentId: s.equipment_id, reasonCode: s.code, quantity: s.quantity })),
    };
  }

  /** Hours a machine ran operations between two instants. */
  async runningHours(m: EntityManager, equipmentId: string, from: Date, to: Date): Promise<number> {
    const rows = await this.runningRows(m, [equipmentId], from, to);
    return rows.reduce((sum, r) => sum + (r.hi.getTime() - r.lo.getTime()), 0) / 3_600_000;
  }

  /** Good + scrap reported on a machine between two instants (decimal string). */
  async reportedQuantity(m: EntityManager, equipmentId: string, from: Date, to: Date): Promise<string> {
    const rows: Array<{ q: string }> = await m.query(
      `SELECT coalesce(sum(good_qty + scrap_qty), 0)::text AS q FROM operation_report
        WHERE equipment_id = $1 AND reported_at >= $2 AND reported_at < $3`,
      [equipmentId, from, to],
    );
    return rows[0]?.q ?? '0';
  }

  /** Running spans: each operation from start to completion (or now) on its machine, less its pauses. */
  private runningRows(
    m: EntityManager,
    equipmentIds: string[],
    from: Date,
    to: Date,
  ): Promise<Array<{ equipment_id: string; lo: Date; hi: Date }>> {
    return m.query(
      `WITH ops AS (
         SELECT o.id, o.equipment_id, tstzrange(o.started_at, greatest(o.started_at, coalesce(o.completed_at, now()))) AS r
           FROM work_order_operation o
          WHERE o.equipment_id = ANY($1::uuid[]) AND o.started_at IS NOT NULL AND o.started_at < $3
            AND coalesce(o.completed_at, now()) > $2),
       runs AS (SELECT equipment_id, range_agg(r) AS mr FROM ops GROUP BY equipment_id),
       pauses AS (
         SELECT ops.equipment_id,
                range_agg(tstzrange(p.started_at, greatest(p.started_at, coalesce(p.ended_at, now())))) AS mr
           FROM operation_pause p JOIN ops ON ops.id = p.operation_id GROUP BY ops.equipment_id)
       SELECT runs.equipment_id, lower(x) AS lo, upper(x) AS hi
         FROM runs LEFT JOIN pauses USING (equipment_id),
              unnest((runs.mr - coalesce(pauses.mr, '{}'::tstzmultirange)) * tstzmultirange(tstzrange($2, $3))) AS x
        WHERE NOT isempty(x)
        ORDER BY 1, 2`,
      [equipmentIds, from, to],
    );
  }
}
