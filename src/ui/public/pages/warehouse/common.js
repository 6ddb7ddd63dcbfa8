// Shared pieces of the warehouse page: roles, the site's materials/locations/lines, labels and small helpers.
import { api, renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { formatNumber, tOr } from '../../i18n.js';

/** What the signed-in person may do here (the API decides in the end; this only hides what it would refuse). */
export function permissions(session) {
  const roles = session?.user?.roles ?? [];
  const any = (...names) => names.some((r) => roles.includes(r));
  return {
    /** Accept and confirm picks, confirm putaways, receive goods. */
    pick: any('admin', 'warehouse'),
    receive: any('admin', 'warehouse'),
    transfer: any('admin', 'warehouse'),
    hold: any('admin', 'warehouse', 'quality'),
    count: any('admin', 'warehouse', 'warehouse_supervisor'),
    /** Approve or reject stock adjustments. */
    decide: any('admin', 'warehouse_supervisor'),
    replenish: any('admin', 'warehouse', 'warehouse_supervisor'),
  };
}

const lookupCache = new Map();
/**
 * The site's materials, locations and lines by id (codes for the tables), asked once per site and kept for a
 * minute; `fresh` asks again (e.g. after a receipt named a location not seen before).
 */
export function lookups(siteId, { fresh = false } = {}) {
  const cached = lookupCache.get(siteId);
  if (!fresh && cached && Date.now() - cached.at < 60_000) return cached.promise;
  const list = (path) => api(`/sites/${siteId}/${path}`, { query: { limit: 500 } }).then((p) => p.items);
  const promise = Promise.all([list('materials'), list('locations'), list('lines'), list('units')]).then(
    ([materials, locations, lines, units]) => ({
      materials: new Map(materials.map((m) => [m.id, m])),
      locations: new Map(locations.map((l) => [l.id, l])),
      lines: new Map(lines.map((l) => [l.id, l])),
      units: new Map(units.map((u) => [u.id, u])),
    }),
  );
  lookupCache.set(siteId, { at: Date.now(), promise });
  promise.catch(() => lookupCache.delete(siteId));
  return promise;
}

export const codeOf = (map, id) => (id ? (map.get(id)?.code ?? id.slice(0, 8)) : '—');
export const unitOf = (look, materialId) => {
  const material = look.materials.get(materialId);
  return material ? (look.units.get(material.baseUnitId)?.code ?? '') : '';
};

/** A quantity with its unit. */
export const qty = (value, unit = '') => (unit ? `${formatNumber(value)} ${unit}` : formatNumber(value));

/** Compares two decimal strings exactly (no float): -1, 0 or 1. */
export function compareDecimal(a, b) {
  const norm = (v) => {
    let s = String(v ?? '0').trim();
    const negative = s.startsWith('-');
    if (negative || s.startsWith('+')) s = s.slice(1);
    let [int = '0', frac = ''] = s.split('.');
    int = int.replace(/^0+/, '') || '0';
    frac = frac.replace(/0+$/, '');
    const zero = int === '0' && frac === '';
    return { negative: negative && !zero, int, frac };
  };
  const x = norm(a);
  const y = norm(b);
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const sign = x.negative ? -1 : 1;
  if (x.int.length !== y.int.length) return x.int.length > y.int.length ? sign : -sign;
  if (x.int !== y.int) return x.int > y.int ? sign : -sign;
  const width = Math.max(x.frac.length, y.frac.length);
  const fx = x.frac.padEnd(width, '0');
  const fy = y.frac.padEnd(width, '0');
  if (fx === fy) return 0;
  return fx > fy ? sign : -sign;
}

/** A quantity typed by a person: digits with an optional decimal point (a comma is taken as the point). */
export function cleanQuantity(text) {
  const value = String(text ?? '')
    .trim()
    .replace(',', '.');
  return /^\d+(\.\d+)?$/.test(value) ? value : null;
}

export function badge(family, value, extra = '') {
  return h(
    'span',
    { class: `badge wh-${family} wh-${family}-${value} ${extra}`.trim(), dataset: { [family]: value } },
    tOr(`warehouse.${family}`, value),
  );
}

/** A labelled form field: `field('wh-x', t('…'), input)`. */
export function field(id, label, control, hint) {
  control.id = id;
  return h(
    'div',
    { class: 'wh-field' },
    h('label', { for: id }, label),
    control,
    hint ? h('span', { class: 'muted small' }, hint) : null,
  );
}

export function locationOptions(look, { types, selected, placeholder } = {}) {
  const list = [...look.locations.values()]
    .filter((l) => l.active !== false && (!types || types.includes(l.locationType)))
    .sort((a, b) => (a.code < b.code ? -1 : 1));
  return [
    placeholder ? h('option', { value: '' }, placeholder) : null,
    ...list.map((l) =>
      h(
        'option',
        { value: l.code, selected: l.code === selected || l.id === selected },
        `${l.code} · ${l.name}`,
      ),
    ),
  ];
}

export function materialOptions(look, { selected, placeholder } = {}) {
  const list = [...look.materials.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
  return [
    placeholder ? h('option', { value: '' }, placeholder) : null,
    ...list.map((m) => h('option', { value: m.id, selected: m.id === selected }, `${m.code} · ${m.name}`)),
  ];
}

/** A text/number input for a keypad or a scanner: big, no autocorrect. */
export function input(attrs = {}) {
  return h('input', {
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    ...attrs,
  });
}

export const quantityInput = (attrs = {}) =>
  input({ inputmode: 'decimal', class: 'wh-qty', pattern: '[0-9]*[.,]?[0-9]*', ...attrs });

/** `key` for an idempotent command: one per intent (a double tap replays the answer). */
export const newKey = () => crypto.randomUUID();

/** A problem found before asking the server (a field left empty), shown like the server's. */
export function localProblem(detail) {
  return { localOnly: true, detail };
}

/** The server's problem (renderProblem) or one of ours. */
export function showProblem(container, error) {
  if (!error?.localOnly) return renderProblem(container, error);
  container.hidden = false;
  container.replaceChildren(
    h('div', { class: 'problem', role: 'alert' }, h('p', { class: 'problem-detail' }, error.detail)),
  );
}

/** "40.000000" → "40", "2.500000" → "2.5": a decimal string for an input, without trailing zeros. */
export const plain = (value) =>
  String(value ?? '').includes('.')
    ? String(value).replace(/0+$/, '').replace(/\.$/, '')
    : String(value ?? '');
