import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';

/**
 * Read-only lookups an NCR needs from other modules' records that their facades do not answer yet (a work
 * order by id or code, open NCRs naming a lot). Parameterised SQL, never a write.
 */

export interface WorkOrderRef {
  id: string;
  code: string;
  status: string;
  source: string;
  materialId: string;
  quantity: string;
  dueAt: Date;
}

export async function findWorkOrder(
  manager: EntityManager,
  siteId: string,
  idOrCode: string,
): Promise<WorkOrderRef | null> {
  const rows = await manager.query<
    Array<{
      id: string;
      code: string;
      status: string;
      source: string;
      material_id: string;
      quantity: string;
      due_at: Date;
    }>
  >(
    `SELECT id, code, status, source, material_id, trim_scale(quantity)::text AS quantity, due_at FROM work_order
      WHERE site_id = $1 AND ${isUUID(idOrCode) ? 'id = $2::uuid' : 'code = $2'}`,
    [siteId, idOrCode],
  );
  const r = rows[0];
  return r
    ? {
        id: r.id,
        code: r.code,
        status: r.status,
        source: r.source,
        materialId: r.material_id,
        quantity: r.quantity,
        dueAt: r.due_at,
      }
    : null;
}

/** Other NCRs not yet dispositioned that name the lot: their containment still needs it held. */
export async function otherOpenNcrsNaming(
  manager: EntityManager,
  ncrId: string,
  lotId: string,
): Promise<string[]> {
  const rows = await manager.query<Array<{ code: string }>>(
    `SELECT n.code FROM ncr_lot nl JOIN ncr n ON n.id = nl.ncr_id
      WHERE nl.lot_id = $1 AND nl.ncr_id <> $2 AND n.status IN ('open', 'under_review')
      ORDER BY n.code`,
    [lotId, ncrId],
  );
  return rows.map((r) => r.code);
}
