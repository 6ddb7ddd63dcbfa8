import { Injectable } from '@nestjs/common';
import type { Tx } from '../platform/database/transaction-runner';
import { WmsOutboundListener } from './wms-outbound.listener';

/** What other modules may ask of the warehouse bridge (inside their transaction). */
@Injectable()
export class WmsBridgeFacade {
  constructor(private readonly outbound: WmsOutboundListener) {}

  /** Sets the priority of a work order's open pick task and tells the WMS; no task or same priority: nothing. */
  changePickPriority(
    tx: Tx,
    workOrderId: string,
    priority: 'normal' | 'rush',
  ): Promise<{ outcome: 'no_task' | 'unchanged' | 'changed'; taskId?: string }> {
    return this.outbound.changePickPriority(tx, workOrderId, priority);
  }
}
