// Small pieces the administration tabs share: forms, dialogs, problems, CSV upload and download, copying.
import { ApiError, renderProblem, session } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, locale, t, tOr } from '../../i18n.js';

export const ROLES = [
  'admin',
  'planner',
  'operator',
  'quality',
  'maintenance',
  'warehouse',
  'warehouse_supervisor',
  'purchasing',
  'maintenance_lead',
  'viewer',
];

/** Replaces an element's children; null, undefined and false are skipped (replaceChildren would print them). */
export function fill(element, ...children) {
  element.replaceChildren(
    ...children.flat().filter((child) => child !== null && child !== undefined && child !== false),
  );
  return element;
}

export function isAdmin(ctx) {
  return (ctx.session?.user?.roles ?? []).includes('admin');
}

/** A box for the API's problem (hidden until there is one). */
export function problemBox(id) {
  return h('div', { class: 'admin-problem', id, hidden: true });
}

export function showProblem(box, error) {
  renderProblem(box, error);
  // Field errors also mark their inputs, so a screen reader announces them where they are.
  const form = box.closest('form');
  if (form && error instanceof ApiError) {
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    for (const fieldError of error.fieldErrors) {
      const name = String(fieldError.field).split(/[.[]/)[0];
      for (const input of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        input.setAttribute('aria-invalid', 'true');
      }
    }
  }
}

export function clearProblem(box) {
  box.hidden = true;
  fill(box);
}

/** A message that a change was made (announced politely). */
export function flash(box, text) {
  box.hidden = false;
  box.textContent = text;
}

/** A labelled form field: `input` may be any control; `hint` is shown below it. */
export function field(label, control, hint) {
  return h(
    'label',
    { class: 'admin-field' },
    h('span', { class: 'admin-field-label' }, label),
    control,
    hint ? h('small', { class: 'muted' }, hint) : null,
  );
}

/** A group of check boxes (`name`, values, labels), with the `checked` values ticked. */
export function checkGroup(legend, name, options, checked = [], { disabled = false } = {}) {
  return h(
    'fieldset',
    { class: 'admin-checks', dataset: { group: name } },
    h('legend', {}, legend),
    options.map((option) =>
      h(
        'label',
        { class: 'admin-check' },
        h('input', {
          type: 'checkbox',
          name,
          value: option.value,
          checked: checked.includes(option.value),
          disabled,
        }),
        h('span', {}, option.label),
      ),
    ),
  );
}

export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
}

export const roleOptions = () => ROLES.map((role) => ({ value: role, label: tOr('role', role) }));

export const siteOptions = (sites) =>
  sites.map((site) => ({ value: site.id, label: `${site.code} · ${site.name}` }));

/** Names of sites by id (codes; an id the person cannot see stays as it is). */
export function siteCodes(ids, sites) {
  return ids.map((id) => sites.find((site) => site.id === id)?.code ?? id).join(t('list.separator'));
}

export function roleBadges(roles) {
  return h(
    'span',
    { class: 'admin-badges' },
    roles.map((role) => h('span', { class: 'badge', dataset: { role } }, tOr('role', role))),
  );
}

export function activeBadge(active, trueKey = 'admin.status.active', falseKey = 'admin.status.inactive') {
  return h(
    'span',
    { class: `badge ${active ? 'status-running' : 'danger'}`, dataset: { field: 'status' } },
    t(active ? trueKey : falseKey),
  );
}

export const when = (iso, site) => formatDateTime(iso, site?.timeZone);

/**
 * A modal dialog appended to `host`; it is removed when closed. `build(close)` returns the content (often a
 * form). Escape closes it as well.
 */
export function openModal(host, { id, title, build, wide = false }) {
  const dialog = h('dialog', {
    class: `admin-dialog ${wide ? 'wide' : ''}`.trim(),
    id,
    'aria-labelledby': `${id}-title`,
  });
  const close = () => {
    if (dialog.open) dialog.close();
  };
  dialog.addEventListener('close', () => dialog.remove());
  dialog.append(h('h2', { id: `${id}-title` }, title), build(close));
  host.append(dialog);
  dialog.showModal();
  const first = dialog.querySelector('input:not([type="hidden"]):not([disabled]), select, textarea, button');
  first?.focus();
  return dialog;
}

/** The buttons at the bottom of a dialog's form: cancel and the primary action. */
export function formActions(close, submitLabel, { submitId, danger = false } = {}) {
  return h(
    'div',
    { class: 'admin-actions' },
    h('button', { type: 'button', class: 'admin-cancel', onclick: close }, t('admin.cancel')),
    h('button', { type: 'submit', class: danger ? 'primary danger' : 'primary', id: submitId }, submitLabel),
  );
}

/** Runs `action` with the form's submit button disabled; shows the API's problem in `box`. */
export async function submitting(form, box, action) {
  const buttons = [...form.querySelectorAll('button[type="submit"]')];
  for (const button of buttons) button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  clearProblem(box);
  try {
    return await action();
  } catch (error) {
    showProblem(box, error);
    return undefined;
  } finally {
    for (const button of buttons) button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/** A button that copies `text`; where the browser refuses, the text is selected for Ctrl+C instead. */
export function copyButton(id, text, target) {
  const status = h('span', { class: 'admin-copy-status', role: 'status' });
  const button = h(
    'button',
    {
      type: 'button',
      id,
      onclick: async () => {
        try {
          if (!navigator.clipboard) throw new Error('no clipboard');
          await navigator.clipboard.writeText(text);
          status.textContent = t('admin.copy.done');
        } catch {
          if (target) {
            const range = document.createRange();
            range.selectNodeContents(target);
            const selection = getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
          }
          status.textContent = t('admin.copy.manual');
        }
      },
    },
    t('admin.copy.button'),
  );
  return h('span', { class: 'admin-copy' }, button, status);
}

function authHeaders(extra = {}) {
  const token = session()?.token;
  return {
    Accept: 'application/json',
    'Accept-Language': locale(),
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...extra,
  };
}

/**
 * Sends a CSV file as `text/csv` (imports take CSV as it is, so line numbers in the answer are the file's).
 * A refusal throws ApiError with `report` (the per-row report, when the API sent one).
 */
export async function postCsv(path, text, query = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
  const res = await fetch(url, {
    method: 'POST',
    headers: authHeaders({ 'Content-Type': 'text/csv' }),
    body: text,
  });
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const problem =
      data && typeof data === 'object' ? data : { title: res.statusText, detail: String(data || '') };
    const error = new ApiError(res.status, problem);
    error.report = problem.report ?? null;
    throw error;
  }
  return data;
}

/** Fetches a CSV export with the session's token and hands it to the browser as a download. */
export async function downloadCsv(path, filename, query = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  const res = await fetch(url, { headers: authHeaders({ Accept: 'text/csv' }) });
  if (!res.ok) {
    const data = await res.json().catch(() => ({ title: res.statusText }));
    throw new ApiError(res.status, data);
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const link = h('a', { href, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/**
 * The records of a CSV text with the line each starts on (header = line 1), read as the server reads them
 * (RFC 4180: quoted fields may hold commas, quotes and line breaks). Each record keeps its raw text, so a file
 * can be sent again without some of its rows.
 */
export function csvRecords(text) {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records = [];
  let inQuotes = false;
  let line = 1;
  let start = 0;
  let startLine = 1;
  const end = (at) => {
    const raw = src.slice(start, at).replace(/\r$/, '');
    if (raw !== '') records.push({ line: startLine, raw });
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      if (inQuotes && src[i + 1] === '"') i++;
      else inQuotes = !inQuotes;
    } else if (c === '\n') {
      if (!inQuotes) {
        end(i);
        start = i + 1;
        startLine = line + 1;
      }
      line++;
    }
  }
  end(src.length);
  return records;
}

/** `limit` items per page with previous/next buttons and "from–to of total". */
export function pager(page, onMove) {
  const { total, limit, offset } = page;
  if (total <= limit && offset === 0) {
    return h(
      'p',
      { class: 'muted admin-count', dataset: { field: 'total' } },
      t('admin.count', { count: total }),
    );
  }
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return h(
    'div',
    { class: 'admin-pager' },
    h(
      'button',
      { type: 'button', disabled: offset === 0, onclick: () => onMove(Math.max(0, offset - limit)) },
      t('admin.previous'),
    ),
    h('span', { class: 'muted', dataset: { field: 'total' } }, t('admin.range', { from, to, total })),
    h(
      'button',
      { type: 'button', disabled: to >= total, onclick: () => onMove(offset + limit) },
      t('admin.next'),
    ),
  );
}

/** Shortens a long text for a table cell; the whole text stays in the title. */
export function clip(text, max = 120) {
  if (text === null || text === undefined) return '—';
  const value = String(text);
  return value.length > max ? h('span', { title: value }, `${value.slice(0, max - 1)}…`) : value;
}

/** The same, as plain text (for labels and attributes). */
export function clipText(text, max = 120) {
  const value = String(text ?? '');
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

export function debounce(fn, ms) {
  let timer = null;
  const run = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}
