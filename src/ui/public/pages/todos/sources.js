// Where a todo is dealt with: the page (and the thing on it) for its reference and the facts it was made from.
import { t } from '../../i18n.js';

const query = (path, params) => {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(name, String(value));
  }
  const text = q.toString();
  return text ? `${path}?${text}` : path;
};

const str = (value) => (typeof value === 'string' && value.trim() ? value.trim() : null);

/**
 * The links of a todo, the first being where it is worked: `[{href, label, key}]` (may be empty).
 * The labels name the thing (a material, a lot, a machine …) in the reader's language.
 */
export function sourceLinks(todo) {
  const d = todo.detail ?? {};
  const links = [];
  const add = (key, href, label) => {
    if (!links.some((link) => link.href === href)) links.push({ key, href, label });
  };
  const workOrder = () => {
    const code = str(d.workOrderCode) ?? (todo.referenceType === 'work_order' ? str(d.code) : null);
    if (code) add('planner', query('/planner', { tab: 'orders' }), t('todos.source.workOrder', { code }));
  };
  const asset = () => {
    const code = str(d.equipmentCode);
    if (code)
      add(
        'maintenance',
        query('/maintenance', { view: 'asset', id: code }),
        t('todos.source.machine', { code }),
      );
  };
  const lot = () => {
    const code = str(d.lotCode);
    if (code) add('trace', query('/trace', { lot: code }), t('todos.source.lot', { code }));
  };

  switch (todo.referenceType) {
    case 'spc_signal':
      if (str(d.characteristicId))
        add(
          'quality',
          query('/quality', { view: 'spc', characteristic: d.characteristicId }),
          t('todos.source.chart', { code: str(d.characteristicCode) ?? '' }),
        );
      if (str(d.ncrId))
        add(
          'quality',
          query('/quality', { view: 'ncr', ncr: d.ncrId }),
          t('todos.source.ncr', { code: str(d.ncrCode) ?? '' }),
        );
      if (todo.assigneeRoles.includes('planner')) workOrder();
      lot();
      break;
    case 'lot':
      if (todo.assigneeRoles.includes('quality'))
        add('quality', query('/quality', { view: 'holds' }), t('todos.source.holds'));
      lot();
      if (todo.assigneeRoles.includes('purchasing') || todo.assigneeRoles.includes('warehouse'))
        add('warehouse', '/warehouse', t('todos.source.warehouse'));
      break;
    case 'inspection':
      add(
        'quality',
        query('/quality', { view: 'inspections', inspection: todo.referenceId }),
        t('todos.source.inspection', { code: str(d.code) ?? str(d.inspectionCode) ?? '' }),
      );
      break;
    case 'ncr':
      add(
        'quality',
        query('/quality', { view: 'ncr', ncr: todo.referenceId }),
        t('todos.source.ncr', { code: str(d.code) ?? '' }),
      );
      break;
    case 'material':
      add('warehouse', '/warehouse', t('todos.source.material', { code: str(d.materialCode) ?? '' }));
      break;
    case 'stock_adjustment':
      add('warehouse', '/warehouse', t('todos.source.adjustment', { code: str(d.code) ?? '' }));
      break;
    case 'wms_pick_task':
      add('warehouse', '/warehouse', t('todos.source.pick', { code: str(d.workOrderCode) ?? '' }));
      workOrder();
      break;
    case 'line_replenishment':
      add('warehouse', '/warehouse', t('todos.source.replenishment', { code: str(d.code) ?? '' }));
      break;
    case 'equipment':
    case 'machine_tag':
      asset();
      if (str(d.ticketCode))
        add(
          'maintenance',
          query('/maintenance', { view: 'ticket', id: d.ticketCode }),
          t('todos.source.ticket', { code: d.ticketCode }),
        );
      break;
    case 'maintenance_ticket':
      if (str(d.code))
        add(
          'maintenance',
          query('/maintenance', { view: 'ticket', id: d.code }),
          t('todos.source.ticket', { code: d.code }),
        );
      asset();
      break;
    case 'operation':
    case 'work_order':
      workOrder();
      if (!links.length) add('planner', query('/planner', { tab: 'orders' }), t('todos.source.planner'));
      asset();
      break;
    case 'andon_call':
      asset();
      break;
    default:
      break;
  }
  return links;
}

/** The facts worth showing beside a todo (codes and quantities; ids and nested data are left out). */
export function visibleFacts(detail) {
  return Object.entries(detail ?? {}).filter(
    ([key, value]) =>
      !/(^id$|Id$|^rule$)/.test(key) &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
      String(value).trim() !== '' &&
      String(value).length <= 200,
  );
}
