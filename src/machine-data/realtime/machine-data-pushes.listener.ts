import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../../platform/events/domain-event-bus';
import { add, formatExact, parseDecimal } from '../../platform/engine/decimal';
import { RealtimePublisher } from '../../platform/realtime/realtime-publisher';
import { roleRoom } from '../../platform/realtime/shop-floor-events';
import type { MachineValues } from '../machine-data.events';

/** Live values go out at most this often per machine; the newest values win. */
const VALUES_EVERY_MS = 1000;

/**
 * Pushes what machines report to the screens: state, connection, counts and alarms to the machine's room and
 * the site (alarms also to quality, count discrepancies to planners), the latest tag values to the machine's
 * room only and throttled — a line of machines sending at 10 Hz would otherwise flood every screen.
 */
@Injectable()
export class MachineDataPushes implements OnModuleInit {
  private readonly pendingValues = new Map<string, MachineValues>();
  private readonly lastValuesAt = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.bus.on('machine.state.changed', async ({ payload: e }) => {
      await this.publisher.emit([`equipment:${e.equipmentId}`, `site:${e.siteId}`], 'machine.state', {
        equipmentId: e.equipmentId,
        state: e.state,
        previousState: e.previousState,
        at: e.at,
      });
    });
    this.bus.on('machine.connection.changed', async ({ payload: e }) => {
      await this.publisher.emit([`equipment:${e.equipmentId}`, `site:${e.siteId}`], 'machine.connection', {
        equipmentId: e.equipmentId,
        connection: e.connection,
        at: e.at,
      });
    });
    this.bus.on('machine.counted', async ({ payload: e }) => {
      await this.publisher.emit([`equipment:${e.equipmentId}`], 'machine.counted', {
        equipmentId: e.equipmentId,
        operationId: e.operationId,
        goodQty: e.goodQty,
        scrapQty: e.scrapQty,
        reported: e.reported,
        at: e.at,
      });
    });
    const alarm = async ({
      payload: e,
    }: {
      payload: import('../machine-data.events').MachineParameterAlarm;
    }) => {
      await this.publisher.emit(
        [`equipment:${e.equipmentId}`, `site:${e.siteId}`, roleRoom('quality', e.siteId)],
        'machine.parameter',
        {
          equipmentId: e.equipmentId,
          equipmentCode: e.equipmentCode,
          tagId: e.tagId,
          parameterName: e.parameterName,
          value: e.value,
          min: e.min,
          max: e.max,
          unit: e.unit,
          side: e.side,
          operationId: e.operationId,
          workOrderCode: e.workOrderCode,
          at: e.at,
        },
      );
    };
    this.bus.on('machine.parameter.out_of_range', alarm);
    this.bus.on('machine.parameter.back_in_range', alarm);
    this.bus.on('machine.count.discrepancy', async ({ payload: e }) => {
      await this.publisher.emit(
        [`equipment:${e.equipmentId}`, `site:${e.siteId}`, roleRoom('planner', e.siteId)],
        'machine.count.discrepancy',
        {
          equipmentId: e.equipmentId,
          equipmentCode: e.equipmentCode,
          operationId: e.operationId,
          workOrderCode: e.workOrderCode,
          seq: e.seq,
          machineTotal: formatExact(add(parseDecimal(e.machineGoodQty), parseDecimal(e.machineScrapQty))),
          reportedTotal: formatExact(add(parseDecimal(e.reportedGoodQty), parseDecimal(e.reportedScrapQty))),
          difference: e.difference,
        },
      );
    });
    this.bus.on('machine.values', ({ payload: e }) => this.values(e));
  }

  private async values(e: MachineValues): Promise<void> {
    const pending = this.pendingValues.get(e.equipmentId);
    const merged = new Map((pending?.values ?? []).map((v) => [v.tagId, v]));
    for (const v of e.values) {
      const cur = merged.get(v.tagId);
      if (!cur || cur.ts <= v.ts) merged.set(v.tagId, v);
    }
    this.pendingValues.set(e.equipmentId, { ...e, values: [...merged.values()] });
    const wait = (this.lastValuesAt.get(e.equipmentId) ?? 0) + VALUES_EVERY_MS - Date.now();
    if (wait <= 0) return this.sendValues(e.equipmentId);
    if (!this.timers.has(e.equipmentId)) {
      const timer = setTimeout(() => {
        this.timers.delete(e.equipmentId);
        void this.sendValues(e.equipmentId);
      }, wait);
      timer.unref();
      this.timers.set(e.equipmentId, timer);
    }
  }

  private async sendValues(equipmentId: string): Promise<void> {
    const e = this.pendingValues.get(equipmentId);
    if (!e) return;
    this.pendingValues.delete(equipmentId);
    this.lastValuesAt.set(equipmentId, Date.now());
    await this.publisher.emit([`equipment:${equipmentId}`], 'machine.values', {
      equipmentId,
      values: e.values,
    });
  }
}
