import { SnakeNamingStrategy } from './snake-naming.strategy';

describe('SnakeNamingStrategy', () => {
  const s = new SnakeNamingStrategy();
  it('gives snake_case tables, columns and join columns', () => {
    expect(s.tableName('WorkOrderOperation', undefined)).toBe('work_order_operation');
    expect(s.tableName('X', 'custom_name')).toBe('custom_name');
    expect(s.columnName('lastSignInAt', undefined, [])).toBe('last_sign_in_at');
    expect(s.columnName('qty', undefined, ['planned'])).toBe('planned_qty');
    expect(s.joinColumnName('workCenter', 'id')).toBe('work_center_id');
  });
});
