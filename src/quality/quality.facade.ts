import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** An inspection as a trace shows it. */
export interface InspectionTrace {
  id: string;
  code: string;
  type: string;
  status: string;
  trigger: string;
  planCode: string;
  lotId: string | null;
  workOrderId: string | null;
  operationId: string | null;
  lotOutcome: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  ncrId: string | null;
}

/** A nonconformance report as a trace shows it, with the lots it names. */
export interface NcrTrace {
  id: string;
  code: string;
  source: string;
  status: string;
  title: string;
  disposition: string | null;
  workOrderId: string | null;
  createdAt: string;
  lots: Array<{ lotId: string; role: string; quantity: string | null }>;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

/** What other modules may ask of quality (read-only). */
@Injectable()
export class QualityFacade {
  /** Inspections of the given lots (IQC/OQC) or of the given work orders (IPQC), oldest first. */
  async inspections(
    manager: EntityManager,
    lotIds: string[],
    workOrderIds: string[],
  ): Promise<InspectionTrace[]> {
    if (lotIds.length === 0 && workOrderIds.length === 0) return [];
    const rows: Array<{
      id: string;
      code: string;
      type: string;
      status: string;
      trigger: string;
      plan_code: string;
      lot_id: string | null;
      work_order_id: string | null;
      operation_id: string | null;
      lot_outcome: string | null;
      decided_at: Date | null;
      decided_by_name: string | null;
      ncr_id: string | null;
    }> = await manager.query(
      `SELECT i.id, i.code, i.type, i.status, i."trigger", p.code AS plan_code, i.lot_id, i.work_order_id,
              i.operation_id, i.lot_outcome, i.decided_at, i.decided_by_name, i.ncr_id
         FROM inspection i JOIN inspection_plan p ON p.id = i.plan_id
        WHERE i.lot_id = ANY($1::uuid[]) OR i.work_order_id = ANY($2::uuid[])
        ORDER BY i.created_at, i.code`,
      [lotIds, workOrderIds],
    );
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      type: r.type,
      status: r.status,
      trigger: r.trigger,
      planCode: r.plan_code,
      lotId: r.lot_id,
      workOrderId: r.work_order_id,
      operationId: r.operation_id,
      lotOutcome: r.lot_outcome,
      decidedAt: iso(r.decided_at),
      decidedBy: r.decided_by_name,
      ncrId: r.ncr_id,
    }));
  }

  /** NCRs naming any of the given lots or raised on any of the given work orders, oldest first. */
  async ncrs(manager: EntityManager, lotIds: string[], workOrderIds: string[]): Promise<NcrTrace[]> {
    if (lotIds.length === 0 && workOrderIds.length === 0) return [];
    const rows: Array<{
      id: string;
      code: string;
      source: string;
      status: string;
      title: string;
      disposition: string | null;
      work_order_id: string | null;
      created_at: Date;
      lots: Array<{ lotId: string; role: string; quantity: string | null }> | null;
    }> = await manager.query(
      `SELECT n.id, n.code, n.source, n.status, n.title, n.disposition, n.work_order_id, n.created_at,
              (SELECT json_agg(json_build_object('lotId', nl.lot_id, 'role', nl.role,
                                                 'quantity', trim_scale(nl.quantity)::text) ORDER BY nl.added_at)
                 FROM ncr_lot nl WHERE nl.ncr_id = n.id) AS lots
         FROM ncr n
        WHERE n.id IN (SELECT ncr_id FROM ncr_lot WHERE lot_id = ANY($1::uuid[]))
           OR n.work_order_id = ANY($2::uuid[])
        ORDER BY n.created_at, n.code`,
      [lotIds, workOrderIds],
    );
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      source: r.source,
      status: r.status,
      title: r.title,
      disposition: r.disposition,
      workOrderId: r.work_order_id,
      createdAt: iso(r.created_at)!,
      lots: r.lots ?? [],
    }));
  }
}
