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

/**
 * Results were recorded (or corrected) on an open inspection: screens showing its characteristics' charts or the
 * inspection itself refetch. A completed subgroup that broke a run rule is told by `quality.spc.violation` too.
 */
export interface InspectionResultsRecorded {
  inspectionId: string;
  code: string;
  siteId: string;
  type: InspectionType;
  /** The inspection's status after the results (an IPQC may have been decided by them). */
  status: InspectionStatus;
  lotId: string | null;
  workOrderId: string | null;
  workCenterId: string | null;
  /** Characteristics with a result recorded or corrected. */
  characteristicIds: string[];
  /** Of those, the charted ones whose subgroup just became complete: a new point on their control chart. */
  newPointCharacteristicIds: string[];
  /** Results stored for the first time, and results corrected. */
  recorded: number;
  corrected: number;
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
    'quality.inspection.results_recorded': InspectionResultsRecorded;
    'quality.spc.violation': SpcViolationDetected;
    'quality.ncr.changed': NcrChanged;
  }
}

declare module '../platform/realtime/shop-floor-events' {
  interface ShopFloorEventMap {
    /** Results were recorded or corrected on an inspection: charts of these characteristics have changed. */
    'inspection.results': {
      inspectionId: string;
      code: string;
      type: string;
      status: string;
      workCenterId: string | null;
      lotId: string | null;
      workOrderId: string | null;
      characteristicIds: string[];
      newPointCharacteristicIds: string[];
      recorded: number;
      corrected: number;
    };
  }
}
