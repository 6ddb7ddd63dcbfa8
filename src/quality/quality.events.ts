import type { InspectionStatus, InspectionTrigger } from './inspections/inspection.entity';
import type { NcrDisposition, NcrSource, NcrStatus } from './ncr/ncr.entity';
import type { InspectionType } from './plans/inspection-plan.entity';

/** Events quality emits (after commit; some are handled inside the raising transaction too). */
export interface InspectionCreated {
  inspectionId: string;
  code: string;
  siteId: string;
  type: InspectionType;
  trigger: InspectionTrigger;
  planId: string;
  materialId: string;
  lotId: string | null;
  lotCode: string | null;
  workOrderId: string | null;
  operationId: string | null;
  workCenterId: string | null;
  equipmentId: string | null;
  dueAt: string;
}

export interface InspectionDecided {
  inspectionId: string;
  code: string;
  siteId: string;
  type: InspectionType;
  status: Extract<InspectionStatus, 'passed' | 'failed' | 'cancelled'>;
  lotId: string | null;
  workOrderId: string | null;
  workCenterId: string | null;
  ncrId: string | null;
}

/** A new subgroup broke a run rule on a characteristic's control chart. */
export interface SpcViolationDetected {
  signalId: string;
  siteId: string;
  characteristicId: string;
  characteristicCode: string;
  inspectionId: string;
  inspectionCode: string;
  /** 0-based index of the point on the characteristic's chart. */
  pointIndex: number;
  value: number;
  /** Rule ids that fired ("N1", "WE2" …). */
  rules: string[];
  limitsVersion: number | null;
  workCenterId: string | null;
  equipmentId: string | null;
  workOrderId: string | null;
  ncrId: string | null;
  ncrCode: string | null;
  heldWorkOrderId: string | null;
  heldLots: Array<{ lotId: string; lotCode: string }>;
}

export interface NcrChanged {
  ncrId: string;
  code: string;
  siteId: string;
  source: NcrSource;
  status: NcrStatus;
  previousStatus: NcrStatus | null;
  disposition: NcrDisposition | null;
  workCenterId: string | null;
  /** What happened: opened, review_started, contained, dispositioned, closed. */
  change: string;
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'quality.inspection.created': InspectionCreated;
    'quality.inspection.decided': InspectionDecided;
    'quality.spc.violation': SpcViolationDetected;
    'quality.ncr.changed': NcrChanged;
  }
}
