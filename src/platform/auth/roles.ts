export const ROLES = [
  'admin',
  'planner',
  'operator',
  'quality',
  'maintenance',
  'warehouse',
  'viewer',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
