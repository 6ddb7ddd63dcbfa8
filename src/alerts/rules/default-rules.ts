import type { RuleDefinition } from './rule-definition';

export interface ShippedRule extends RuleDefinition {
  code: string;
  name: string;
  nameZh: string;
  description: string;
}

/**
 * The rules every site has from the start (enabled), for the exceptions the shop floor used to handle by
 * phone. A site may change or disable each (its own copy); the todos they open close by themselves when the
 * cause goes away (stock recovered, pick delivered, adjustment decided).
 */
export const SHIPPED_RULES: readonly ShippedRule[] = [
  {
    code: 'safety-stock.requisition',
    name: 'Stock below safety level → purchase requisition and todo',
    nameZh: '低于安全库存 → 请购单与采购待办',
    description:
      'When the available stock of a material falls below its safety stock, a purchase requisition for the suggested quantity (back to reorder point + lot size) goes to the ERP (one open per material) and purchasing gets a todo to place the order.',
    trigger: {
      kind: 'event',
      event: 'inventory.safety_stock.changed',
      filter: { field: 'state', op: 'eq', value: 'below' },
    },
    conditions: null,
    actions: [
      {
        type: 'requisition',
        material: '{{materialId}}',
        quantity: '{{suggestedQty}}',
        needInDays: 7,
        reason: '{{materialCode}} available {{availableQty}} below safety stock {{safetyStock}}',
      },
      {
        type: 'todo',
        kind: 'purchase_requisition',
        title:
          'Order {{materialCode}}: {{availableQty}} available, safety stock {{safetyStock}}; requisition for {{suggestedQty}} sent to the ERP',
        titleZh:
          '请购 {{materialCode}}：可用 {{availableQty}}，安全库存 {{safetyStock}}；已向 ERP 提交请购 {{suggestedQty}}',
        roles: ['purchasing', 'planner'],
        link: '/api/v1/sites/{{siteId}}/purchase-requisitions?material={{materialId}}&status=open',
        dueInMinutes: 240,
        dedupeKey: 'replenishment:{{materialId}}',
      },
    ],
  },
  {
    code: 'rush-order.wms-priority',
    name: 'Rush order → WMS pick priority raised',
    nameZh: '加急工单 → 提高仓库拣料优先级',
    description: "When a work order becomes rush, its open pick task's priority is raised at the warehouse.",
    trigger: {
      kind: 'event',
      event: 'production.workorder.priority_changed',
      filter: { field: 'priority', op: 'eq', value: 'rush' },
    },
    conditions: null,
    actions: [{ type: 'wms_priority', workOrderId: '{{workOrderId}}', priority: 'rush' }],
  },
  {
    code: 'quality.spc-violation',
    name: 'SPC violation → lot frozen, todos for quality, purchasing and planning',
    nameZh: 'SPC 判异 → 冻结批次，质量、采购、计划待办',
    description:
      "When a control chart breaks a run rule, the sampled lot is held (frozen at the warehouse) and quality, purchasing and planning each get a todo: find the cause, check the supplier's material, re-plan the affected order.",
    trigger: { kind: 'event', event: 'quality.spc.violation' },
    conditions: null,
    actions: [
      { type: 'hold_lot', lot: '{{lotCode}}', reason: 'SPC {{rules}} on {{characteristicCode}}' },
      {
        type: 'todo',
        kind: 'quality_problem',
        title: 'SPC {{rules}} on {{characteristicCode}} ({{inspectionCode}}): find the cause',
        titleZh: '{{characteristicCode}} 控制图判异 {{rules}}（{{inspectionCode}}）：分析原因',
        roles: ['quality'],
        dedupeKey: 'quality_problem:quality:{{signalId}}',
      },
      {
        type: 'todo',
        kind: 'quality_problem',
        title: 'SPC {{rules}} on {{characteristicCode}}: check the supplier material of lot {{lotCode}}',
        titleZh: '{{characteristicCode}} 判异：核查批次 {{lotCode}} 的供应商来料',
        roles: ['purchasing'],
        dedupeKey: 'quality_problem:purchasing:{{signalId}}',
      },
      {
        type: 'todo',
        kind: 'quality_problem',
        title: 'SPC {{rules}} on {{characteristicCode}}: re-plan work order {{workOrderCode}}',
        titleZh: '{{characteristicCode}} 判异：重新安排工单 {{workOrderCode}}',
        roles: ['planner'],
        dedupeKey: 'quality_problem:planner:{{signalId}}',
      },
    ],
  },
  {
    code: 'quality.lot-rejected',
    name: 'Lot rejected → todos for quality, purchasing and planning',
    nameZh: '批次判退 → 质量、采购、计划待办',
    description:
      'When a lot is rejected (frozen at the warehouse by the status change), quality, purchasing and planning each get a todo: disposition, supplier claim and replacement, re-plan.',
    trigger: {
      kind: 'event',
      event: 'inventory.lot.status_changed',
      filter: { field: 'status', op: 'eq', value: 'rejected' },
    },
    conditions: null,
    actions: [
      {
        type: 'todo',
        kind: 'quality_problem',
        title: 'Lot {{lotCode}} ({{materialCode}}) rejected: decide the disposition',
        titleZh: '批次 {{lotCode}}（{{materialCode}}）判退：确定处置',
        roles: ['quality'],
        link: '/api/v1/sites/{{siteId}}/lots/{{lotId}}',
        dedupeKey: 'lot_rejected:quality:{{lotId}}',
      },
      {
        type: 'todo',
        kind: 'quality_problem',
        title: 'Lot {{lotCode}} ({{materialCode}}) rejected: claim the supplier and order a replacement',
        titleZh: '批次 {{lotCode}}（{{materialCode}}）判退：向供应商索赔并补货',
        roles: ['purchasing'],
        link: '/api/v1/sites/{{siteId}}/lots/{{lotId}}',
        dedupeKey: 'lot_rejected:purchasing:{{lotId}}',
      },
      {
        type: 'todo',
        kind: 'quality_problem',
        title: 'Lot {{lotCode}} ({{materialCode}}) rejected: re-plan the orders that needed it',
        titleZh: '批次 {{lotCode}}（{{materialCode}}）判退：调整需要该批次的工单计划',
        roles: ['planner'],
        link: '/api/v1/sites/{{siteId}}/lots/{{lotId}}',
        dedupeKey: 'lot_rejected:planner:{{lotId}}',
      },
    ],
  },
  {
    code: 'count-discrepancy.approval',
    name: 'Count discrepancy → approval todo',
    nameZh: '盘点差异 → 审批待办',
    description: 'A stock adjustment from a count waits for the warehouse supervisor’s approval.',
    trigger: { kind: 'event', event: 'inventory.adjustment.requested' },
    conditions: null,
    actions: [
      {
        type: 'todo',
        kind: 'adjustment_approval',
        title: 'Approve {{code}}: lot {{lotCode}} counted {{countedQty}}, book {{bookQty}} ({{deltaQty}})',
        titleZh:
          '审批盘点调整 {{code}}：批次 {{lotCode}} 实盘 {{countedQty}}，账面 {{bookQty}}（{{deltaQty}}）',
        roles: ['warehouse_supervisor'],
        link: '/api/v1/sites/{{siteId}}/inventory/adjustments/{{adjustmentId}}',
        dedupeKey: 'adjustment:{{adjustmentId}}',
      },
    ],
  },
  {
    code: 'wms-shortage.todo',
    name: 'WMS shortage → todo for planner and warehouse supervisor',
    nameZh: '仓库缺料 → 计划员与仓库主管待办',
    description:
      'The warehouse cannot pick everything a work order needs: the planner and the warehouse supervisor act.',
    trigger: { kind: 'event', event: 'wms.pick.shortage' },
    conditions: null,
    actions: [
      {
        type: 'todo',
        kind: 'pick_shortage',
        title: 'Material short for {{workOrderCode}}: {{shortList}}',
        titleZh: '工单 {{workOrderCode}} 缺料：{{shortList}}',
        roles: ['planner', 'warehouse_supervisor'],
        link: '/api/v1/sites/{{siteId}}/wms/pick-tasks/{{taskId}}',
        dedupeKey: 'pick_shortage:{{taskId}}',
      },
    ],
  },
  {
    code: 'machine-down.escalation',
    name: 'Machine down for more than 30 minutes → todo for the maintenance lead',
    nameZh: '设备停机超过 30 分钟 → 设备主管待办',
    description: 'A breakdown that is not fixed within 30 minutes is escalated to the maintenance lead.',
    trigger: { kind: 'metric', metric: 'machine.down' },
    conditions: { field: 'downMinutes', op: 'gt', value: 30 },
    actions: [
      {
        type: 'todo',
        kind: 'machine_down',
        title: '{{equipmentCode}} has been down {{downMinutes}} min ({{reasonCode}}, ticket {{ticketCode}})',
        titleZh: '设备 {{equipmentCode}} 已停机 {{downMinutes}} 分钟（{{reasonCode}}，工单 {{ticketCode}}）',
        roles: ['maintenance_lead'],
        link: '/api/v1/sites/{{siteId}}/maintenance/board',
        dueInMinutes: 30,
        dedupeKey: 'machine_down:{{downtimeId}}',
      },
    ],
  },
  {
    code: 'machine-count.discrepancy',
    name: "Machine count and operators' reports differ → todo for the planner",
    nameZh: '设备计数与报工不符 → 计划员待办',
    description:
      'An operation completed on a machine whose counts are a cross-check, and the reported quantity differs ' +
      "from the machine's count beyond its tolerance: someone checks the reports before the order is closed.",
    trigger: { kind: 'event', event: 'machine.count.discrepancy' },
    conditions: null,
    actions: [
      {
        type: 'todo',
        kind: 'machine_count',
        title:
          '{{workOrderCode}}/{{seq}} on {{equipmentCode}}: machine counted {{machineGoodQty}} good, ' +
          'operators reported {{reportedGoodQty}} (difference {{difference}})',
        titleZh:
          '{{workOrderCode}}/{{seq}}（{{equipmentCode}}）：设备计数良品 {{machineGoodQty}}，报工 {{reportedGoodQty}}' +
          '（差异 {{difference}}）',
        roles: ['planner'],
        link: '/api/v1/sites/{{siteId}}/machine-data/machines/{{equipmentId}}/counts',
        dedupeKey: 'machine_count:{{operationId}}',
      },
    ],
  },
];
