/** Events master data emits (after commit). */
export interface MasterDataRecordChanged {
  /** e.g. `material`, `work_center`. */
  entityType: string;
  id: string;
  siteId: string;
  code: string;
  action: string;
  active: boolean;
  version: number;
}

export interface EquipmentStatusChanged {
  equipmentId: string;
  siteId: string;
  code: string;
  status: string;
  previousStatus: string;
  reason: string | null;
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'master-data.record.changed': MasterDataRecordChanged;
    'master-data.equipment.status_changed': EquipmentStatusChanged;
  }
}
