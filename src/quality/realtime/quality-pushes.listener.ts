import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../../platform/events/domain-event-bus';
import { RealtimePublisher } from '../../platform/realtime/realtime-publisher';
import { roleRoom } from '../../platform/realtime/shop-floor-events';
import type { InspectionCreated, InspectionDecided } from '../quality.events';

/**
 * Pushes quality changes after commit: a rule violation to the work center's terminal, the work order, the quality
 * room and the site; inspections due or decided, results recorded and NCR changes to the quality room and the site
 * (the work center too when they belong to one, e.g. IPQC shown at the terminal).
 */
@Injectable()
export class QualityPushes implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.bus.on('quality.spc.violation', async ({ payload: e }) => {
      await this.publisher.emit(rooms(e.siteId, e.workCenterId, e.workOrderId), 'spc.violation', {
        characteristicId: e.characteristicId,
        characteristicCode: e.characteristicCode,
        inspectionId: e.inspectionId,
        inspectionCode: e.inspectionCode,
        pointIndex: e.pointIndex,
        value: e.value,
        rules: e.rules,
        workCenterId: e.workCenterId,
        workOrderId: e.workOrderId,
        ncrId: e.ncrId,
        ncrCode: e.ncrCode,
        heldWorkOrderId: e.heldWorkOrderId,
        heldLots: e.heldLots.map((l) => l.lotCode),
      });
    });
    const inspection = async (e: InspectionCreated | InspectionDecided, status: string, dueAt?: string) => {
      await this.publisher.emit(rooms(e.siteId, e.workCenterId, null), 'inspection.changed', {
        inspectionId: e.inspectionId,
        code: e.code,
        type: e.type,
        status,
        workCenterId: e.workCenterId,
        lotId: e.lotId,
        workOrderId: e.workOrderId,
        ...(dueAt === undefined ? {} : { dueAt }),
      });
    };
    this.bus.on('quality.inspection.created', ({ payload: e }) => inspection(e, 'pending', e.dueAt));
    this.bus.on('quality.inspection.decided', ({ payload: e }) => inspection(e, e.status));
    // Results without a rule violation change the chart too: screens refetch the characteristics named.
    this.bus.on('quality.inspection.results_recorded', async ({ payload: e }) => {
      await this.publisher.emit(rooms(e.siteId, e.workCenterId, null), 'inspection.results', {
        inspectionId: e.inspectionId,
        code: e.code,
        type: e.type,
        status: e.status,
        workCenterId: e.workCenterId,
        lotId: e.lotId,
        workOrderId: e.workOrderId,
        characteristicIds: e.characteristicIds,
        newPointCharacteristicIds: e.newPointCharacteristicIds,
        recorded: e.recorded,
        corrected: e.corrected,
      });
    });
    this.bus.on('quality.ncr.changed', async ({ payload: e }) => {
      await this.publisher.emit(rooms(e.siteId, e.workCenterId, null), 'ncr.changed', {
        ncrId: e.ncrId,
        code: e.code,
        status: e.status,
        source: e.source,
        disposition: e.disposition,
      });
    });
  }
}

/** The work center (when known), the work order (when known), the quality room and the site. */
function rooms(siteId: string, workCenterId: string | null, workOrderId: string | null): string[] {
  const out: string[] = [];
  if (workCenterId) out.push(`workcenter:${workCenterId}`);
  if (workOrderId) out.push(`workorder:${workOrderId}`);
  out.push(roleRoom('quality', siteId), `site:${siteId}`);
  return out;
}
