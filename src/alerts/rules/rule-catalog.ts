/**
 * What rules can react to: domain events (with the fields their facts carry — the event's payload plus the
 * codes looked up for it) and periodic metric checks (one subject per machine, order …). A rule's conditions
 * and templates may use only these fields; the API lists them (`GET rules/catalog`).
 */
export interface RuleEventSpec {
  description: string;
  descriptionZh: string;
  fields: readonly string[];
  /** What the facts are about: a todo made by a rule links to it and is one per subject. */
  subject: { type: string; idField: string };
}

export interface RuleMetricSpec {
  description: string;
  descriptionZh: string;
  fields: readonly string[];
  subject: { type: string; idField: string };
}

export const RULE_EVENTS: Readonly<Record<string, RuleEventSpec>> = {
  'inventory.safety_stock.changed': {
    description: "A material's available stock crossed its safety stock (state below or recovered)",
    descriptionZh: '物料可用库存越过安全库存（低于 / 恢复）',
    fields: [
      'materialId',
      'materialCode',
      'state',
      'availableQty',
      'safetyStock',
      'reorderPoint',
      'lotSize',
      'suggestedQty',
    ],
    subject: { type: 'material', idField: 'materialId' },
  },
  'inventory.adjustment.requested': {
    description: 'A count found a difference: a stock adjustment waits for approval',
    descriptionZh: '盘点差异：库存调整待审批',
    fields: [
      'adjustmentId',
      'code',
      'source',
      'lotCode',
      'materialId',
      'materialCode',
      'locationId',
      'locationCode',
      'bookQty',
      'countedQty',
      'deltaQty',
      'requestedBy',
    ],
    subject: { type: 'stock_adjustment', idField: 'adjustmentId' },
  },
  'inventory.lot.status_changed': {
    description: "A lot's status changed (hold, released, rejected, expired …)",
    descriptionZh: '批次状态变更（冻结、放行、判退、过期…）',
    fields: [
      'lotId',
      'lotCode',
      'materialId',
      'materialCode',
      'status',
      'previousStatus',
      'reason',
      'source',
    ],
    subject: { type: 'lot', idField: 'lotId' },
  },
  'wms.pick.shortage': {
    description: 'The warehouse reported a shortage on a pick task',
    descriptionZh: '仓库拣料缺料',
    fields: ['taskId', 'workOrderId', 'workOrderCode', 'lineId', 'lines', 'shortList'],
    subject: { type: 'wms_pick_task', idField: 'taskId' },
  },
  'production.workorder.priority_changed': {
    description: "A work order's priority changed (rush or normal)",
    descriptionZh: '工单优先级变更（加急 / 普通）',
    fields: ['workOrderId', 'code', 'priority', 'previousPriority'],
    subject: { type: 'work_order', idField: 'workOrderId' },
  },
  'production.workorder.status_changed': {
    description: 'A work order moved to another status',
    descriptionZh: '工单状态变更',
    fields: ['workOrderId', 'code', 'lineId', 'status', 'previousStatus', 'reason'],
    subject: { type: 'work_order', idField: 'workOrderId' },
  },
  'production.andon.changed': {
    description: 'An andon call was raised, acknowledged or resolved',
    descriptionZh: '安灯呼叫发起、响应或解除',
    fields: [
      'andonId',
      'kind',
      'state',
      'lineId',
      'workCenterId',
      'equipmentId',
      'workOrderId',
      'operationId',
      'message',
      'machineDown',
      'raisedBy',
    ],
    subject: { type: 'andon_call', idField: 'andonId' },
  },
  'quality.spc.violation': {
    description: 'A control chart broke a run rule',
    descriptionZh: '控制图判异',
    fields: [
      'signalId',
      'characteristicId',
      'characteristicCode',
      'inspectionId',
      'inspectionCode',
      'pointIndex',
      'value',
      'rules',
      'workCenterId',
      'equipmentId',
      'workOrderId',
      'workOrderCode',
      'lotId',
      'lotCode',
      'ncrId',
      'ncrCode',
      'heldLots',
    ],
    subject: { type: 'spc_signal', idField: 'signalId' },
  },
  'quality.inspection.decided': {
    description: 'An inspection passed or failed',
    descriptionZh: '检验判定（合格 / 不合格）',
    fields: ['inspectionId', 'code', 'type', 'status', 'lotId', 'workOrderId', 'workCenterId', 'ncrId'],
    subject: { type: 'inspection', idField: 'inspectionId' },
  },
  'quality.ncr.changed': {
    description: 'A nonconformance report changed',
    descriptionZh: '不合格报告变更',
    fields: ['ncrId', 'code', 'source', 'status', 'previousStatus', 'disposition', 'workCenterId', 'change'],
    subject: { type: 'ncr', idField: 'ncrId' },
  },
  'machine.parameter.out_of_range': {
    description: "A machine's process value (machine data) left its limits",
    descriptionZh: '设备采集的工艺参数超出上下限',
    fields: [
      'equipmentId',
      'equipmentCode',
      'tagId',
      'parameterName',
      'value',
      'min',
      'max',
      'unit',
      'side',
      'operationId',
      'workOrderId',
      'workOrderCode',
      'at',
    ],
    subject: { type: 'machine_tag', idField: 'tagId' },
  },
  'machine.count.discrepancy': {
    description:
      "A completed operation's reported quantity differs from the machine's count beyond tolerance",
    descriptionZh: '工序完工报工数量与设备计数差异超出容差',
    fields: [
      'equipmentId',
      'equipmentCode',
      'operationId',
      'workOrderId',
      'workOrderCode',
      'seq',
      'machineGoodQty',
      'machineScrapQty',
      'reportedGoodQty',
      'reportedScrapQty',
      'difference',
      'tolerance',
    ],
    subject: { type: 'operation', idField: 'operationId' },
  },
  'machine.connection.changed': {
    description: 'A machine went online or offline on the broker (Sparkplug birth or death certificate)',
    descriptionZh: '设备与消息代理连接上线 / 离线（Sparkplug 出生 / 死亡证书）',
    fields: ['equipmentId', 'connection', 'source', 'at'],
    subject: { type: 'equipment', idField: 'equipmentId' },
  },
  'maintenance.ticket.changed': {
    description: 'A maintenance ticket changed',
    descriptionZh: '维修工单变更',
    fields: [
      'ticketId',
      'code',
      'kind',
      'status',
      'previousStatus',
      'equipmentId',
      'assigneeId',
      'breakdown',
      'change',
    ],
    subject: { type: 'maintenance_ticket', idField: 'ticketId' },
  },
};

export const RULE_METRICS: Readonly<Record<string, RuleMetricSpec>> = {
  'machine.down': {
    description:
      'Each machine in unplanned downtime now, with the minutes it has been down (checked every minute)',
    descriptionZh: '当前非计划停机的设备及停机分钟数（每分钟检查）',
    fields: [
      'equipmentId',
      'equipmentCode',
      'equipmentName',
      'workCenterId',
      'lineId',
      'downtimeId',
      'since',
      'downMinutes',
      'reasonCode',
      'ticketCode',
    ],
    subject: { type: 'equipment', idField: 'equipmentId' },
  },
  'work_order.overdue': {
    description: 'Each open work order past its due time, with the minutes it is late (checked every minute)',
    descriptionZh: '超过交期仍未完工的工单及延误分钟数（每分钟检查）',
    fields: ['workOrderId', 'code', 'status', 'priority', 'lineId', 'dueAt', 'minutesLate', 'quantity'],
    subject: { type: 'work_order', idField: 'workOrderId' },
  },
};
