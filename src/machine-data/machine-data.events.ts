/** Events machine data raises (in the ingesting transaction; published after commit). */

export interface MachineStateChanged {
  siteId: string;
  equipmentId: string;
  state: string;
  previousState: string | null;
  /** The machine's own timestamp of the change. */
  at: string;
}

export interface MachineConnectionChanged {
  siteId: string;
  equipmentId: string;
  connection: 'online' | 'offline';
  source: string;
  at: string;
}

export interface MachineCounted {
  siteId: string;
  equipmentId: string;
  operationId: string | null;
  workOrderId: string | null;
  goodQty: string;
  scrapQty: string;
  countMode: string;
  /** Authority mode: the running operation took the count as its report. */
  reported: boolean;
  at: string;
}

export interface MachineParameterAlarm {
  siteId: string;
  equipmentId: string;
  equipmentCode: string;
  tagId: string;
  parameterName: string;
  value: number;
  min: number | null;
  max: number | null;
  unit: string | null;
  /** `low`/`high`: out of range; null: back within its limits. */
  side: 'low' | 'high' | null;
  operationId: string | null;
  workOrderId: string | null;
  workOrderCode: string | null;
  at: string;
}

export interface MachineCountDiscrepancy {
  siteId: string;
  equipmentId: string;
  equipmentCode: string;
  operationId: string;
  workOrderId: string;
  workOrderCode: string;
  seq: number;
  machineGoodQty: string;
  machineScrapQty: string;
  reportedGoodQty: string;
  reportedScrapQty: string;
  /** Machine total minus reported total (negative: the operators reported more than the machine counted). */
  difference: string;
  tolerance: string;
}

/** The latest values of a machine's tags, for live screens (at most about one per machine and second). */
export interface MachineValues {
  siteId: string;
  equipmentId: string;
  values: Array<{ tagId: string; role: string; name: string; value: number | string | boolean; ts: string }>;
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'machine.state.changed': MachineStateChanged;
    'machine.connection.changed': MachineConnectionChanged;
    'machine.counted': MachineCounted;
    'machine.parameter.out_of_range': MachineParameterAlarm;
    'machine.parameter.back_in_range': MachineParameterAlarm;
    'machine.count.discrepancy': MachineCountDiscrepancy;
    'machine.values': MachineValues;
  }
}
