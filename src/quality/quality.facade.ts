import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { iso8601 } from '../platform/database/iso8601';
import { readQuery } from '../platform/database/prepared-query';
import type { SpcAnalysis, SpcAnalyzeInput } from './spc/engine/analyze';
import { SpcAnalysisService } from './spc/spc-analysis.service';
import type { SpcAnalyzeDto } from './spc/spc-analyze.dto';

export type { SpcAnalysis, SpcAnalyzeInput } from './spc/engine/analyze';

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

/** What quality knows of some lots and work orders. */
export interface QualityRecords {
  inspections: InspectionTrace[];
  ncrs: NcrTrace[];
}

/** What other modules may ask of quality (read-only). */
@Injectable()
export class QualityFacade {
  constructor(private readonly spc: SpcAnalysisService) {}

  /**
   * A control chart of any series (limits, zones, run-rule violations, capability against spec limits), with
   * the SPC engine that judges inspection charts; nothing is stored. A series that does not fit the chart is a
   * 422 naming the fields.
   */
  analyzeSeries(input: SpcAnalyzeInput): SpcAnalysis {
    return this.spc.analyze(input as SpcAnalyzeDto);
  }

  /**
   * Inspections of the given lots (IQC/OQC) or of the given work orders (IPQC), and NCRs naming any of the lots
   * or raised on any of the orders — each oldest first, in one statement.
   */
  async records(manager: EntityManager, lotIds: string[], workOrderIds: string[]): Promise<QualityRecords> {
    if (lotIds.length === 0 && workOrderIds.length === 0) return { inspections: [], ncrs: [] };
    const [row] = await readQuery<{ inspections: InspectionTrace[] | null; ncrs: NcrTrace[] | null }>(
      manager,
      `WITH lots AS (SELECT unnest($1::uuid[]) AS id), orders AS (SELECT unnest($2::uuid[]) AS id),
       found_inspections AS (
         SELECT i.id FROM inspection i WHERE i.lot_id IN (SELECT id FROM lots)
         UNION
         SELECT i.id FROM inspection i WHERE i.work_order_id IN (SELECT id FROM orders)
       ), found_ncrs AS (
         SELECT nl.ncr_id AS id FROM ncr_lot nl WHERE nl.lot_id IN (SELECT id FROM lots)
         UNION
         SELECT n.id FROM ncr n WHERE n.work_order_id IN (SELECT id FROM orders)
       )
       SELECT
         (SELECT json_agg(json_build_object(
                   'id', i.id, 'code', i.code, 'type', i.type, 'status', i.status, 'trigger', i."trigger",
                   'planCode', p.code, 'lotId', i.lot_id, 'workOrderId', i.work_order_id,
                   'operationId', i.operation_id, 'lotOutcome', i.lot_outcome,
                   'decidedAt', ${iso8601('i.decided_at')}, 'decidedBy', i.decided_by_name, 'ncrId', i.ncr_id)
                 ORDER BY i.created_at, i.code)
            FROM inspection i JOIN inspection_plan p ON p.id = i.plan_id
           WHERE i.id IN (SELECT id FROM found_inspections)) AS inspections,
         (SELECT json_agg(json_build_object(
                   'id', n.id, 'code', n.code, 'source', n.source, 'status', n.status, 'title', n.title,
                   'disposition', n.disposition, 'workOrderId', n.work_order_id,
                   'createdAt', ${iso8601('n.created_at')},
                   'lots', coalesce((
                     SELECT json_agg(json_build_object('lotId', nl.lot_id, 'role', nl.role,
                                                       'quantity', trim_scale(nl.quantity)::text)
                                     ORDER BY nl.added_at)
                       FROM ncr_lot nl WHERE nl.ncr_id = n.id), '[]'))
                 ORDER BY n.created_at, n.code)
            FROM ncr n WHERE n.id IN (SELECT id FROM found_ncrs)) AS ncrs`,
      [lotIds, workOrderIds],
    );
    return { inspections: row?.inspections ?? [], ncrs: row?.ncrs ?? [] };
  }
}
