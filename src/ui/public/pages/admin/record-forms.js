// One master data record at a time: the form of each kind is built from a small description of its fields
// (type, required, choices, references to other kinds), read back into the API's create or update body, and the
// API's field errors are shown under the fields they concern.
import { ApiError } from '../../api.js';
import { h } from '../../dom.js';
import { locale, t, tOr } from '../../i18n.js';

const MATERIAL_CLASSES = ['raw', 'semi_finished', 'finished', 'consumable', 'spare_part'];
const DIMENSIONS = ['count', 'mass', 'length', 'area', 'volume', 'time', 'other'];
const LOCATION_TYPES = ['warehouse', 'zone', 'bin', 'line_side', 'wip', 'quarantine', 'scrap', 'supplier'];
const REASON_CATEGORIES = ['scrap', 'pause', 'downtime_planned', 'downtime_unplanned', 'defect', 'failure'];
export const ISSUE_METHODS = ['manual', 'backflush'];

const CODE = { name: 'code', type: 'text', required: true, fixed: true, max: 64 };
const NAME = { name: 'name', type: 'text', required: true, max: 200 };
const NAME_ZH = { name: 'nameZh', type: 'text', max: 200 };
const BASE = [CODE, NAME, NAME_ZH];

/**
 * Field descriptions per kind (the API's create body). `fixed`: set when created, not changed afterwards (the
 * update body has no such field); `ref`: the id of a record of that kind, picked from its list; `labels`: the
 * label prefix of an enum's values.
 */
export const RECORD_FORMS = {
  materials: {
    write: ['admin', 'planner'],
    fields: [
      ...BASE,
      {
        name: 'materialClass',
        type: 'enum',
        required: true,
        options: MATERIAL_CLASSES,
        labels: 'admin.materialClass',
      },
      { name: 'baseUnitId', type: 'ref', ref: 'units', required: true, fixed: true },
      { name: 'specification', type: 'textarea', max: 500, wide: true },
      { name: 'lotTracked', type: 'boolean' },
      { name: 'serialTracked', type: 'boolean' },
      { name: 'inspectionRequired', type: 'boolean' },
      { name: 'shelfLifeDays', type: 'integer', min: 1, max: 36500 },
      { name: 'safetyStock', type: 'decimal' },
      { name: 'reorderPoint', type: 'decimal' },
      { name: 'lotSize', type: 'decimal' },
      { name: 'defaultLocationId', type: 'ref', ref: 'locations' },
      { name: 'lotCodePattern', type: 'text', max: 64, hint: 'admin.rec.hint.lotCodePattern' },
      { name: 'barcode', type: 'text', max: 100 },
    ],
  },
  units: {
    write: ['admin', 'planner'],
    fields: [
      ...BASE,
      { name: 'dimension', type: 'enum', required: true, options: DIMENSIONS, labels: 'admin.dimension' },
      { name: 'decimals', type: 'integer', min: 0, max: 6 },
    ],
  },
  areas: { write: ['admin'], fields: [...BASE] },
  lines: {
    write: ['admin'],
    fields: [...BASE, { name: 'areaId', type: 'ref', ref: 'areas', required: true }],
  },
  'work-centers': {
    write: ['admin'],
    fields: [
      ...BASE,
      { name: 'lineId', type: 'ref', ref: 'lines', required: true },
      { name: 'labourRatePerHour', type: 'decimal' },
    ],
  },
  equipment: {
    write: ['admin', 'maintenance'],
    fields: [
      ...BASE,
      { name: 'workCenterId', type: 'ref', ref: 'work-centers', required: true },
      { name: 'capabilities', type: 'list', hint: 'admin.rec.hint.capabilities' },
      { name: 'manufacturer', type: 'text', max: 100 },
      { name: 'model', type: 'text', max: 100 },
      { name: 'serialNumber', type: 'text', max: 100 },
      { name: 'hourlyRate', type: 'decimal' },
    ],
  },
  locations: {
    write: ['admin', 'warehouse'],
    fields: [
      ...BASE,
      {
        name: 'locationType',
        type: 'enum',
        required: true,
        fixed: true,
        options: LOCATION_TYPES,
        labels: 'admin.locationType',
      },
      { name: 'parentId', type: 'ref', ref: 'locations' },
      { name: 'lineId', type: 'ref', ref: 'lines' },
      { name: 'workCenterId', type: 'ref', ref: 'work-centers' },
      { name: 'partnerId', type: 'ref', ref: 'partners' },
      { name: 'capacity', type: 'decimal' },
      { name: 'capacityUnitId', type: 'ref', ref: 'units' },
    ],
  },
  'reason-codes': {
    write: ['admin', 'quality', 'maintenance'],
    fields: [
      ...BASE,
      {
        name: 'category',
        type: 'enum',
        required: true,
        fixed: true,
        options: REASON_CATEGORIES,
        labels: 'admin.reasonCategory',
      },
    ],
  },
  partners: {
    write: ['admin', 'planner', 'quality'],
    fields: [
      ...BASE,
      { name: 'isSupplier', type: 'boolean' },
      { name: 'isCustomer', type: 'boolean' },
      { name: 'contactName', type: 'text', max: 100 },
      { name: 'phone', type: 'text', max: 50 },
      { name: 'email', type: 'email', max: 200 },
      { name: 'country', type: 'text', max: 2, hint: 'admin.rec.hint.country' },
      { name: 'address', type: 'textarea', max: 500, wide: true },
    ],
  },
  calendars: {
    write: ['admin', 'planner'],
    fields: [
      ...BASE,
      {
        name: 'workCenterId',
        type: 'ref',
        ref: 'work-centers',
        fixed: true,
        hint: 'admin.rec.hint.wholeSite',
      },
      { name: 'shifts', type: 'shifts', required: true, wide: true },
      { name: 'holidays', type: 'holidays', wide: true, hint: 'admin.rec.hint.holidays' },
      { name: 'exceptions', type: 'json', wide: true, hint: 'admin.rec.hint.exceptions' },
    ],
  },
  boms: { write: ['admin', 'planner'], document: true },
  routings: { write: ['admin', 'planner'], document: true },
};

export function canWrite(kindPath, roles) {
  const form = RECORD_FORMS[kindPath];
  return !!form && form.write.some((role) => roles.includes(role));
}

/** `CODE · name` for a record picked from a list (its Chinese name where the reader reads Chinese). */
export function refLabel(record) {
  const name = locale() === 'zh-CN' && record.nameZh ? record.nameZh : record.name;
  return name ? `${record.code} · ${name}` : record.code;
}

/** The kinds whose lists a kind's form picks from. */
export function refKinds(kindPath) {
  return [
    ...new Set((RECORD_FORMS[kindPath]?.fields ?? []).filter((f) => f.type === 'ref').map((f) => f.ref)),
  ];
}

/** A select of the records of a kind (active ones; the current value is kept even when inactive). */
export function refSelect(attrs, records, current, { required = false } = {}) {
  const options = [...(records ?? [])];
  if (current && !options.some((r) => r.id === current)) {
    options.push({ id: current, code: current, name: '', active: false });
  }
  return h(
    'select',
    attrs,
    h('option', { value: '', selected: !current }, required ? t('admin.rec.choose') : t('admin.rec.none')),
    options
      .filter((r) => r.active !== false || r.id === current)
      .map((r) =>
        h(
          'option',
          { value: r.id, selected: r.id === current },
          r.active === false ? `${refLabel(r)} (${t('admin.status.inactive')})` : refLabel(r),
        ),
      ),
  );
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const isBlank = (value) => value === null || value === undefined || value === '';

/** The text an input starts with for a value of the record. */
function initialText(field, value) {
  if (isBlank(value)) return '';
  if (field.type === 'list') return (value ?? []).join(', ');
  if (field.type === 'json') return (value ?? []).length ? JSON.stringify(value, null, 2) : '';
  if (field.type === 'holidays')
    return (value ?? []).map((d) => (d.name ? `${d.date} ${d.name}` : d.date)).join('\n');
  return String(value);
}

/** Shift patterns as rows: code, weekdays, start, end and breaks ("12:00-12:30, 15:00-15:10"). */
function shiftsEditor(field, initial, disabled) {
  const rows = h('div', { class: 'rec-rows', id: 'rec-shifts-rows' });
  const addRow = (shift) => {
    const row = h(
      'fieldset',
      { class: 'rec-row rec-shift' },
      h('legend', { class: 'visually-hidden' }, t('admin.rec.shift')),
      h(
        'label',
        { class: 'admin-field' },
        h('span', { class: 'admin-field-label' }, t('admin.rec.shiftCode')),
        h('input', { dataset: { part: 'code' }, value: shift?.code ?? '', maxlength: 16, disabled }),
      ),
      h(
        'fieldset',
        { class: 'rec-weekdays' },
        h('legend', {}, t('admin.rec.weekdays')),
        WEEKDAYS.map((day) =>
          h(
            'label',
            { class: 'admin-check' },
            h('input', {
              type: 'checkbox',
              dataset: { part: 'weekday' },
              value: String(day),
              checked: (shift?.weekdays ?? [1, 2, 3, 4, 5]).includes(day),
              disabled,
            }),
            h('span', {}, t(`admin.rec.weekday.${day}`)),
          ),
        ),
      ),
      h(
        'label',
        { class: 'admin-field' },
        h('span', { class: 'admin-field-label' }, t('admin.rec.start')),
        h('input', { dataset: { part: 'start' }, value: shift?.start ?? '', placeholder: '08:00', disabled }),
      ),
      h(
        'label',
        { class: 'admin-field' },
        h('span', { class: 'admin-field-label' }, t('admin.rec.end')),
        h('input', { dataset: { part: 'end' }, value: shift?.end ?? '', placeholder: '16:00', disabled }),
      ),
      h(
        'label',
        { class: 'admin-field' },
        h('span', { class: 'admin-field-label' }, t('admin.rec.breaks')),
        h('input', {
          dataset: { part: 'breaks' },
          value: (shift?.breaks ?? []).map((b) => `${b.start}-${b.end}`).join(', '),
          placeholder: '12:00-12:30',
          disabled,
        }),
      ),
      disabled
        ? null
        : h(
            'button',
            { type: 'button', class: 'rec-remove', onclick: () => row.remove() },
            t('admin.rec.removeShift'),
          ),
    );
    rows.append(row);
  };
  for (const shift of initial ?? []) addRow(shift);
  if (!initial?.length) addRow(null);
  const read = () =>
    [...rows.querySelectorAll('.rec-shift')].map((row) => {
      const part = (name) => row.querySelector(`[data-part="${name}"]`).value.trim();
      const breaks = part('breaks')
        .split(/[,;，；]/)
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const [start, end] = s.split(/\s*[-–~]\s*/);
          return { start: start ?? '', end: end ?? '' };
        });
      return {
        code: part('code'),
        weekdays: [...row.querySelectorAll('[data-part="weekday"]:checked')].map((i) => Number(i.value)),
        start: part('start'),
        end: part('end'),
        ...(breaks.length ? { breaks } : {}),
      };
    });
  const element = h(
    'div',
    { class: 'rec-shifts', dataset: { input: field.name } },
    rows,
    disabled
      ? null
      : h(
          'button',
          { type: 'button', id: 'rec-add-shift', onclick: () => addRow(null) },
          t('admin.rec.addShift'),
        ),
  );
  return { element, read };
}

/**
 * The form's fields for a kind: `{element, read(mode), errorsAt(error)}`. `read('create')` answers the create
 * body (blank optional fields left out); `read('update')` only the fields changed (a cleared optional field as
 * null). Input that cannot even be sent (bad JSON) throws a local ApiError with field errors.
 */
export function recordFields(kindPath, record, lookups) {
  const spec = RECORD_FORMS[kindPath];
  const editing = !!record;
  const controls = [];
  const grid = h('div', { class: 'admin-grid rec-grid' });
  for (const field of spec.fields) {
    const id = `rec-${field.name}`;
    const disabled = editing && field.fixed;
    const value = record?.[field.name];
    const label = t(`admin.rec.field.${field.name}`) + (field.required ? ' *' : '');
    let control;
    let read;
    let initial;
    if (field.type === 'boolean') {
      control = h('input', { type: 'checkbox', id, name: field.name, checked: !!value, disabled });
      read = () => control.checked;
      initial = !!value;
    } else if (field.type === 'enum') {
      control = h(
        'select',
        { id, name: field.name, disabled, required: field.required },
        h('option', { value: '', selected: isBlank(value) }, t('admin.rec.choose')),
        field.options.map((option) =>
          h('option', { value: option, selected: option === value }, tOr(field.labels, option)),
        ),
      );
      read = () => control.value;
      initial = value ?? '';
    } else if (field.type === 'ref') {
      control = refSelect(
        { id, name: field.name, disabled, required: field.required },
        lookups[field.ref]?.filter((r) => !(kindPath === field.ref && r.id === record?.id)),
        value,
        { required: field.required },
      );
      read = () => control.value;
      initial = value ?? '';
    } else if (field.type === 'shifts') {
      const editor = shiftsEditor(field, value, disabled);
      control = editor.element;
      read = editor.read;
      initial = JSON.stringify(editor.read());
    } else {
      const text = initialText(field, value);
      const textarea = ['textarea', 'json', 'holidays'].includes(field.type);
      control = h(textarea ? 'textarea' : 'input', {
        id,
        name: field.name,
        disabled,
        required: field.required,
        rows: textarea ? (field.type === 'json' ? 4 : 3) : undefined,
        type: textarea ? undefined : field.type === 'email' ? 'email' : 'text',
        inputmode: field.type === 'integer' ? 'numeric' : field.type === 'decimal' ? 'decimal' : undefined,
        maxlength: field.max && field.type !== 'integer' ? field.max : undefined,
        autocomplete: 'off',
        spellcheck: field.type === 'json' ? 'false' : undefined,
        class: field.type === 'json' ? 'rec-code' : undefined,
      });
      control.value = text;
      read = () => control.value.trim();
      initial = text.trim();
    }
    const wrapper =
      field.type === 'boolean'
        ? h(
            'label',
            { class: 'admin-check rec-bool', dataset: { field: field.name } },
            control,
            h('span', {}, label),
          )
        : h(
            field.type === 'shifts' ? 'div' : 'label',
            { class: `admin-field ${field.wide ? 'rec-wide' : ''}`.trim(), dataset: { field: field.name } },
            h('span', { class: 'admin-field-label' }, label),
            control,
            field.hint ? h('small', { class: 'muted' }, t(field.hint)) : null,
          );
    grid.append(wrapper);
    controls.push({ field, read, initial, wrapper, disabled });
  }

  /** A value read from the form as the API takes it; undefined: nothing to send. */
  function convert(field, raw, errors) {
    if (field.type === 'boolean') return raw;
    if (field.type === 'shifts') return raw;
    if (raw === '') return undefined;
    if (field.type === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (field.type === 'list')
      return raw
        .split(/[,;，；\s]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    if (field.type === 'holidays') {
      return raw
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const [date, ...name] = line.split(/\s+/);
          return name.length ? { date, name: name.join(' ') } : { date };
        });
    }
    if (field.type === 'json') {
      try {
        return JSON.parse(raw);
      } catch {
        errors.push({ field: field.name, message: t('admin.rec.badJson') });
        return undefined;
      }
    }
    return raw;
  }

  function read(mode) {
    const body = {};
    const errors = [];
    for (const { field, read: get, initial, disabled } of controls) {
      if (disabled) continue;
      const raw = get();
      if (mode === 'update') {
        const same = field.type === 'shifts' ? JSON.stringify(raw) === initial : raw === initial;
        if (same) continue;
      }
      const value = convert(field, raw, errors);
      if (value === undefined) {
        if (mode === 'update') {
          // Cleared: optional fields become empty, a required one is sent empty for the API to refuse.
          if (field.type === 'list' || field.type === 'holidays' || field.type === 'json')
            body[field.name] = [];
          else body[field.name] = field.required ? '' : null;
        }
        continue;
      }
      body[field.name] = value;
    }
    if (errors.length) {
      throw new ApiError(400, { title: t('admin.rec.fixFields'), detail: t('admin.rec.fixFields'), errors });
    }
    return body;
  }

  return { element: grid, read, errorsAt: (error) => showFieldErrors(grid, error) };
}

/**
 * Each field error under its field: `lines[2].quantityPer` is looked for as `lines.2.quantityPer`, then
 * `lines.2`, then `lines` (the deepest part of the form that names it).
 */
export function showFieldErrors(scope, error) {
  for (const old of scope.querySelectorAll('.rec-field-error')) old.remove();
  for (const old of scope.querySelectorAll('[data-field] [aria-invalid]'))
    old.removeAttribute('aria-invalid');
  if (!(error instanceof ApiError)) return [];
  const placed = [];
  for (const fieldError of error.fieldErrors) {
    const path = String(fieldError.field ?? '').replace(/\[(\d+)\]/g, '.$1');
    const parts = path.split('.');
    let wrapper = null;
    let at = '';
    for (let n = parts.length; n > 0 && !wrapper; n--) {
      at = parts.slice(0, n).join('.');
      wrapper = scope.querySelector(`[data-field="${CSS.escape(at)}"]`);
    }
    if (!wrapper) continue;
    const message = h(
      'small',
      { class: 'rec-field-error', id: `rec-error-${placed.length}` },
      path === at ? fieldError.message : `${path.slice(at.length + 1)}: ${fieldError.message}`,
    );
    wrapper.append(message);
    const input = wrapper.querySelector('input, select, textarea');
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', message.id);
    }
    placed.push(path);
  }
  return placed;
}
