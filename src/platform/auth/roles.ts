export const ROLES = [
  'admin',
  'planner',
  'operator',
  'quality',
  'maintenance',
  'warehouse',
  /** 仓库主管: approves stock adjustments, receives shortage todos. */
  'warehouse_supervisor',
  /** 采购: purchase requisitions and supplier problems. */
  'purchasing',
  /** 设备主管: maintenance escalations (a machine down too long). */
  'maintenance_lead',
  'viewer',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
