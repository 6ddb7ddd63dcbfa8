/**
 * Which tables the audit trail covers, and why the others are left out (21 CFR Part 11 §11.10(e)). Every entity
 * of the application is in exactly one of the three lists; test/part11.e2e-spec.ts fails when a new entity
 * appears in none of them, and drives a create and an update of every audited one through the API.
 */

export interface AuditedEntity {
  /** `audit_log.entity_type` of its rows. */
  auditType: string;
  /** Why there is no update through the API (left out: there is one, and the spec drives it). */
  noUpdate?: string;
  /** The API can delete or deactivate it: the spec drives that too. */
  deletable?: boolean;
  /**
   * One row per site holding settings: the first write replaces the defaults the site had, so every row is
   * an update with the previous values as `before`.
   */
  settings?: true;
  /** Created inside another audited record's command, whose row names it. */
  createdWith?: string;
}

/** Records people create and change: each change writes a row with before and after. */
export const AUDITED: Record<string, AuditedEntity> = {
  enterprise: { auditType: 'enterprise', noUpdate: 'the API only creates enterprises (sites point at them)' },
  site: { auditType: 'site' },
  app_user: { auditType: 'user', deletable: true },
  terminal: { auditType: 'terminal', deletable: true },
  api_client: { auditType: 'api_client', deletable: true },
  alert_rule: { auditType: 'alert_rule', deletable: true },
  todo: { auditType: 'todo' },
  webhook_subscription: { auditType: 'webhook_subscription', deletable: true },
  unit_of_measure: { auditType: 'unit_of_measure', deletable: true },
  area: { auditType: 'area', deletable: true },
  production_line: { auditType: 'production_line', deletable: true },
  work_center: { auditType: 'work_center', deletable: true },
  equipment: { auditType: 'equipment', deletable: true },
  storage_location: { auditType: 'storage_location', deletable: true },
  material: { auditType: 'material', deletable: true },
  partner: { auditType: 'partner', deletable: true },
  reason_code: { auditType: 'reason_code', deletable: true },
  shift_calendar: { auditType: 'shift_calendar', deletable: true },
  bom: { auditType: 'bom', deletable: true },
  routing: { auditType: 'routing', deletable: true },
  lot: { auditType: 'lot' },
  stock_adjustment: { auditType: 'stock_adjustment' },
  line_stock_level: { auditType: 'line_stock_level' },
  line_replenishment: { auditType: 'line_replenishment', deletable: true },
  outsourcing_order: { auditType: 'outsourcing_order', deletable: true },
  purchase_requisition: { auditType: 'purchase_requisition', deletable: true },
  inventory_settings: { auditType: 'inventory_settings', settings: true },
  shipment: {
    auditType: 'shipment',
    noUpdate: 'a shipment is final once made (its lines are ledger rows); corrections are new movements',
  },
  production_settings: { auditType: 'production_settings', settings: true },
  work_order: { auditType: 'work_order', deletable: true },
  work_order_operation: { auditType: 'work_order_operation', createdWith: 'work_order' },
  downtime_event: { auditType: 'downtime_event' },
  andon_call: { auditType: 'andon_call' },
  machine_config: { auditType: 'machine_config', deletable: true },
  maintenance_asset: { auditType: 'maintenance_asset' },
  maintenance_meter: { auditType: 'maintenance_meter' },
  pm_plan: { auditType: 'pm_plan' },
  maintenance_ticket: { auditType: 'maintenance_ticket', deletable: true },
  inspection_plan: { auditType: 'inspection_plan' },
  inspection: { auditType: 'inspection', deletable: true },
  ncr: { auditType: 'ncr' },
  inspection_characteristic: { auditType: 'inspection_characteristic', createdWith: 'inspection_plan' },
  schedule_version: { auditType: 'schedule_version' },
  wms_pick_task: { auditType: 'wms_pick_task' },
  wms_putaway: { auditType: 'wms_putaway' },
  serial_link: {
    auditType: 'serial_number',
    noUpdate: 'a fitting is made or taken out (kept, marked removed), never edited',
    deletable: true,
  },
};

/** Rows that belong to an audited record: the record's own audit rows carry them in before/after. */
export const AUDITED_WITH_PARENT: Record<string, { parent: string; how: string }> = {
  user_site: { parent: 'app_user', how: 'a user’s sites are `siteIds` in the user’s rows' },
  api_client_site: { parent: 'api_client', how: 'a client’s sites are `siteIds` in its created row' },
  material_unit_conversion: { parent: 'material', how: 'material.conversions_changed lists them' },
  bom_line: { parent: 'bom', how: 'the BOM’s rows hold the whole revision with its lines' },
  routing_operation: { parent: 'routing', how: 'the routing’s rows hold the whole revision' },
  routing_operation_equipment: {
    parent: 'routing',
    how: 'each operation’s machines are in the routing rows',
  },
  stock_balance: {
    parent: 'lot',
    how: 'every lot row holds the lot’s `balances` per location before and after',
  },
  shipment_line: {
    parent: 'shipment',
    how: 'shipment.created lists the lines; each lot has its lot.shipped',
  },
  work_order_material: {
    parent: 'work_order',
    how: 'work_order.created (and a quantity change) lists the materials',
  },
  operation_labor: { parent: 'work_order_operation', how: 'operation.started / operation.left' },
  operation_pause: { parent: 'work_order_operation', how: 'operation.paused / operation.resumed' },
  operation_report: { parent: 'work_order_operation', how: 'operation.reported names the report id' },
  material_consumption: {
    parent: 'work_order_operation',
    how: 'operation.material_consumed, and lot.issued on the lot',
  },
  machine_tag: { parent: 'machine_config', how: 'the mapping rows hold the machine’s tags' },
  maintenance_meter_reading: {
    parent: 'maintenance_meter',
    how: 'a reading typed in is meter.read on the meter; machine-fed readings are telemetry (as machine values)',
  },
  maintenance_labour: { parent: 'maintenance_ticket', how: 'ticket.labour_started / _stopped / _booked' },
  maintenance_part: { parent: 'maintenance_ticket', how: 'ticket.part_reserved / ticket.part_issued' },
  schedule_assignment: {
    parent: 'schedule_version',
    how: 'a version’s bars are computed once by its run and never edited; the version’s rows record the run',
  },
  spc_limit_set: {
    parent: 'inspection_characteristic',
    how: 'spc.limits_frozen on the characteristic (limitsVersion before and after, the limits and their range); versions only grow',
  },
  spc_exclusion: {
    parent: 'inspection_characteristic',
    how: 'spc.point_excluded / spc.point_included on the characteristic, with the reason',
  },
  inspection_result: {
    parent: 'inspection',
    how: 'inspection.results_recorded / inspection.result_corrected with before and after',
  },
  ncr_lot: { parent: 'ncr', how: 'ncr.opened / ncr.contained list the lots' },
  wms_pick_task_line: {
    parent: 'wms_pick_task',
    how: 'the task’s rows list its lines and what was delivered',
  },
};

/** Not audited row by row, each for a stated reason. */
export const NOT_AUDITED: Record<string, string> = {
  audit_log: 'the audit trail itself (append-only: a trigger refuses UPDATE, DELETE and TRUNCATE)',
  electronic_signature:
    'an append-only e-record that is its own evidence (trigger-protected); each signing writes signature.recorded on the signed record',
  inventory_movement:
    'the stock ledger: append-only (trigger-protected), each row carries actor and correlation id, and each is named by the lot row of the command that wrote it',
  lot_link:
    'genealogy edge written once by an audited lot command (split, merge, outsourcing receipt) and never changed',
  genealogy_edge:
    'the trace graph: a projection of the ledger and lot links written in the same transaction, never edited',
  serial_number:
    'units of a serial-tracked lot: they move only with the lot’s audited movements (the lot rows list the serials); fitting is audited as serial_link',
  inventory_reservation:
    'derived: opened at release, reduced by issues and closed at completion — each by an audited work order or ticket command',
  safety_stock_state: 'derived flag (below / above safety stock) recomputed from stock after each movement',
  alert_rule_state: 'derived: which subjects of a periodic rule currently meet its condition',
  alert_rule_firing:
    'append-only log of what rules did; what their actions changed is audited on the records they changed',
  process_reading:
    'a measurement recorded once at the terminal with its operator and time (never edited); out-of-limit readings are also audited on the operation',
  spc_signal:
    'a rule violation computed from audited inspection results (spc.violation, by the system); never edited by people',
  wms_inbound_event:
    'the log of messages the WMS sent (kept for idempotency); what they change is audited on the records they change',
  outbox_message:
    'delivery queue of messages written by audited commands; an administrator’s redrive is audited (outbox.redriven)',
  idempotency_key: 'technical: stored answers for retried requests',
  api_nonce: 'technical: nonces seen inside the HMAC window (replay protection)',
  auth_failure:
    'technical: throttling counter; each refusal is audited as auth.login_refused / auth.signature_refused',
  scheduled_job_state: 'technical: last run of each scheduled job',
  document_sequence: 'technical: counters behind business codes',
  machine_tag_state: 'telemetry cache: the latest value of each tag',
  machine_live_state: 'telemetry cache: a machine’s state as last reported',
  machine_tag_value: 'telemetry: raw machine values (append-only, kept for a retention period)',
  machine_tag_rollup: 'telemetry: minute and hour aggregates of the raw values',
  machine_rollup_cursor: 'technical: how far the rollups have read',
  machine_unknown_tag: 'diagnostics: topics no mapping knows',
  machine_rejected_message: 'diagnostics: unreadable machine messages',
  machine_operation_count:
    'telemetry: what a machine counted during an operation; the reports it led to are audited on the operation',
};
