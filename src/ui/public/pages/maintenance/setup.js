// Set-up (设备维护设置): register and edit assets (machines and their components), add meters to them, and
// create, edit, deactivate PM plans (calendar rule or meter interval, checklist, estimated duration). Who may
// not set up sees the lists without a single action.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t } from '../../i18n.js';
import {
  actionButton,
  assetHref,
  clearProblem,
  field,
  fill,
  formatMinutes,
  link,
  problemBox,
  showProblem,
} from './common.js';

const SECTIONS = ['assets', 'plans'];
const CRITICALITIES = ['A', 'B', 'C'];
const METER_KINDS = ['run_hours', 'cycles', 'strokes', 'other'];
const METER_FEEDS = ['manual', 'reported_quantity', 'running_time', 'machine_count', 'machine_run_time'];
const UNITS = ['day', 'week', 'month'];
const PLAN_PRIORITIES = ['low', 'normal', 'high'];

/**
 * Shows the API's refusal: the problem box (with each field's message) and, on the form, the fields named
 * marked invalid with their message under them.
 */
function showFormProblem(form, box, error) {
  for (const old of form.querySelectorAll('.mt-field-error')) old.remove();
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute('aria-invalid');
  showProblem(box, error);
  for (const f of error?.fieldErrors ?? []) {
    const name = String(f.field ?? '').replace(/\[\d+\].*$/, '');
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    const message = h('span', { class: 'mt-field-error small', dataset: { fieldError: name } }, f.message);
    input.closest('.mt-field')?.append(message);
  }
  form.querySelector('[aria-invalid="true"]')?.focus();
}

/** A field's refusal goes once the person changes that field. */
function clearFieldOnEdit(form) {
  const clear = (event) => {
    const input = event.target;
    if (input?.getAttribute?.('aria-invalid') !== 'true') return;
    input.removeAttribute('aria-invalid');
    input.closest('.mt-field')?.querySelector('.mt-field-error')?.remove();
  };
  form.addEventListener('input', clear);
  form.addEventListener('change', clear);
}

function clearFormProblem(form, box) {
  for (const old of form.querySelectorAll('.mt-field-error')) old.remove();
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute('aria-invalid');
  clearProblem(box);
}

const optional = (value) => (value.trim() === '' ? undefined : value.trim());

export function mountSetup(container, ctx) {
  const { site, can, params } = ctx;
  const state = {
    section: SECTIONS.includes(params.get('section')) ? params.get('section') : 'assets',
    assets: null,
    equipment: [],
    plans: null,
    error: null,
    /** What the form shows: null, {kind: 'asset', code|null}, {kind: 'plan', code|null}. */
    editing: null,
    /** The asset being edited, as the API answers it (with its meters). */
    asset: null,
    /** The meters of the asset chosen in the plan form. */
    planMeters: [],
    notice: null,
  };
  let alive = true;

  const problem = problemBox('mt-setup-problem');
  const nav = h('div', { class: 'mt-segmented mt-setup-nav', role: 'group', id: 'mt-setup-nav' });
  const notice = h('p', { class: 'notice', role: 'status', id: 'mt-setup-notice', hidden: true });
  const editor = h('section', { class: 'panel mt-setup-editor', id: 'mt-setup-editor', hidden: true });
  const list = h('section', { class: 'card', id: 'mt-setup-list', 'aria-busy': 'true' });
  fill(container, problem, nav, notice, editor, list);

  async function load() {
    try {
      const [assets, equipment, plans] = await Promise.all([
        api(`/sites/${site.id}/maintenance/assets`),
        api(`/sites/${site.id}/equipment`, { query: { limit: 500 } }),
        api(`/sites/${site.id}/maintenance/pm-plans`),
      ]);
      state.assets = assets;
      state.equipment = equipment.items ?? [];
      state.plans = plans;
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    if (alive) paint();
  }

  function remember() {
    const query = { view: 'setup', section: state.section };
    if (state.editing?.code) query.edit = state.editing.code;
    history.replaceState(null, '', `/maintenance?${new URLSearchParams(query)}`);
  }

  function paint({ editor: withEditor = false } = {}) {
    if (state.error) showProblem(problem, state.error);
    else clearProblem(problem);
    nav.setAttribute('aria-label', t('maintenance.setup.sections'));
    fill(
      nav,
      SECTIONS.map((s) =>
        h(
          'button',
          {
            type: 'button',
            class: `button ${state.section === s ? 'primary' : ''}`.trim(),
            id: `mt-setup-tab-${s}`,
            'aria-pressed': String(state.section === s),
            onclick: () => {
              if (state.section === s) return;
              state.section = s;
              closeEditor();
              remember();
              paint();
            },
          },
          t(`maintenance.setup.section.${s}`),
        ),
      ),
    );
    notice.hidden = !state.notice;
    notice.textContent = state.notice ?? '';
    paintList();
    if (withEditor || editor.hidden) paintEditor();
  }

  function say(text) {
    state.notice = text;
    notice.hidden = false;
    notice.textContent = text;
  }

  // ------------------------------------------------------------ the lists

  function paintList() {
    if (!state.assets) return;
    list.setAttribute('aria-busy', 'false');
    if (state.section === 'assets') paintAssets();
    else paintPlans();
  }

  /** Registered assets, then the machines not registered yet (each can be registered with its details). */
  function assetRows() {
    const registered = new Set(state.assets.filter((a) => a.kind === 'equipment').map((a) => a.equipmentId));
    const byId = new Map(state.equipment.map((e) => [e.id, e]));
    return [
      ...state.assets.map((a) => ({
        ...a,
        equipmentCode: byId.get(a.equipmentId)?.code ?? '',
        registered: true,
      })),
      ...state.equipment
        .filter((e) => !registered.has(e.id))
        .map((e) => ({
          code: e.code,
          name: e.name,
          kind: 'equipment',
          equipmentId: e.id,
          equipmentCode: e.code,
          criticality: null,
          active: e.active !== false,
          registered: false,
        })),
    ].sort((a, b) => a.equipmentCode.localeCompare(b.equipmentCode) || a.code.localeCompare(b.code));
  }

  function paintAssets() {
    const rows = assetRows();
    fill(
      list,
      h(
        'div',
        { class: 'mt-plans-head' },
        h('h2', { id: 'mt-setup-list-title' }, t('maintenance.assets.title')),
        can.setup
          ? h(
              'button',
              {
                type: 'button',
                class: 'button primary',
                id: 'mt-asset-new',
                onclick: () => openEditor({ kind: 'asset', code: null }),
              },
              t('maintenance.setup.newAsset'),
            )
          : null,
      ),
      can.setup ? null : h('p', { class: 'muted small' }, t('maintenance.setup.readOnly')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table', id: 'mt-setup-assets' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['asset', 'kind', 'machine', 'criticality', 'serial', 'maker', 'installed', 'state'].map((c) =>
                h('th', { scope: 'col' }, t(`maintenance.setup.acol.${c}`)),
              ),
              can.setup
                ? h(
                    'th',
                    { scope: 'col' },
                    h('span', { class: 'visually-hidden' }, t('maintenance.setup.actions')),
                  )
                : null,
            ),
          ),
          h(
            'tbody',
            {},
            rows.map((a) =>
              h(
                'tr',
                { dataset: { asset: a.code }, class: a.active === false ? 'muted' : undefined },
                h(
                  'th',
                  { scope: 'row' },
                  link(assetHref(a.code), a.code),
                  h('span', { class: 'muted small row-line' }, a.name),
                ),
                h('td', {}, t(`maintenance.assetKind.${a.kind}`)),
                h('td', {}, a.equipmentCode),
                h('td', { dataset: { field: 'criticality' } }, a.criticality ?? '—'),
                h('td', { dataset: { field: 'serial' } }, a.serialNo ?? '—'),
                h('td', {}, [a.manufacturer, a.model].filter(Boolean).join(' · ') || '—'),
                h('td', {}, a.installDate ?? '—'),
                h(
                  'td',
                  {},
                  !a.registered
                    ? h('span', { class: 'badge warn' }, t('maintenance.setup.notRegistered'))
                    : a.active === false
                      ? h('span', { class: 'badge' }, t('maintenance.plans.inactive'))
                      : h('span', { class: 'badge mt-ok' }, t('maintenance.setup.active')),
                ),
                can.setup
                  ? h(
                      'td',
                      {},
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'button',
                          dataset: { action: 'editAsset', asset: a.code },
                          onclick: () => openEditor({ kind: 'asset', code: a.code, fresh: !a.registered }),
                        },
                        t(a.registered ? 'maintenance.setup.edit' : 'maintenance.setup.register'),
                      ),
                    )
                  : null,
              ),
            ),
          ),
        ),
      ),
    );
  }

  function planRule(plan) {
    if (plan.trigger === 'meter') {
      return t('maintenance.plans.ruleMeter', { interval: formatNumber(plan.meterInterval) });
    }
    if (plan.fixedDates.length > 0)
      return t('maintenance.plans.ruleDates', { dates: plan.fixedDates.join(t('list.separator')) });
    if (plan.everyN === 1) return t(`maintenance.plans.rule.${plan.everyUnit}1`);
    return t(`maintenance.plans.rule.${plan.everyUnit}`, { n: formatNumber(plan.everyN) });
  }

  function paintPlans() {
    const plans = state.plans ?? [];
    fill(
      list,
      h(
        'div',
        { class: 'mt-plans-head' },
        h('h2', { id: 'mt-setup-list-title' }, t('maintenance.plans.title')),
        can.setup
          ? h(
              'button',
              {
                type: 'button',
                class: 'button primary',
                id: 'mt-plan-new',
                onclick: () => openEditor({ kind: 'plan', code: null }),
              },
              t('maintenance.setup.newPlan'),
            )
          : null,
      ),
      can.setup ? null : h('p', { class: 'muted small' }, t('maintenance.setup.readOnly')),
      plans.length === 0
        ? h('p', { class: 'muted' }, t('maintenance.plans.none'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table', id: 'mt-setup-plans' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['plan', 'asset', 'rule', 'estimate', 'checklist', 'nextDue', 'state'].map((c) =>
                    h('th', { scope: 'col' }, t(`maintenance.setup.pcol.${c}`)),
                  ),
                  can.setup
                    ? h(
                        'th',
                        { scope: 'col' },
                        h('span', { class: 'visually-hidden' }, t('maintenance.setup.actions')),
                      )
                    : null,
                ),
              ),
              h(
                'tbody',
                {},
                plans.map((p) =>
                  h(
                    'tr',
                    { dataset: { plan: p.code }, class: p.active ? undefined : 'muted' },
                    h('th', { scope: 'row' }, p.code, h('span', { class: 'muted small row-line' }, p.name)),
                    h('td', {}, link(assetHref(p.assetCode), p.assetCode)),
                    h('td', { dataset: { field: 'rule' } }, planRule(p)),
                    h(
                      'td',
                      { class: 'num', dataset: { field: 'estimate' } },
                      formatMinutes(p.estimatedMinutes),
                    ),
                    h(
                      'td',
                      { class: 'num', dataset: { field: 'checklist' } },
                      formatNumber(p.checklist.length),
                    ),
                    h(
                      'td',
                      { dataset: { field: 'nextDue' } },
                      p.active && p.next?.dueAt ? formatDateTime(p.next.dueAt, site.timeZone) : '—',
                    ),
                    h(
                      'td',
                      { dataset: { field: 'state' } },
                      p.active
                        ? h('span', { class: 'badge mt-ok' }, t('maintenance.setup.active'))
                        : h('span', { class: 'badge' }, t('maintenance.plans.inactive')),
                    ),
                    can.setup ? h('td', {}, planActions(p)) : null,
                  ),
                ),
              ),
            ),
          ),
    );
  }

  function planActions(p) {
    const box = problemBox(`mt-plan-problem-${p.code}`);
    return h(
      'div',
      { class: 'mt-actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'button',
          dataset: { action: 'editPlan', plan: p.code },
          onclick: () => openEditor({ kind: 'plan', code: p.code }),
        },
        t('maintenance.setup.edit'),
      ),
      actionButton(
        t(p.active ? 'maintenance.setup.deactivate' : 'maintenance.setup.activate'),
        async () => {
          clearProblem(box);
          try {
            await api(`/sites/${site.id}/maintenance/pm-plans/${p.id}`, {
              method: 'PATCH',
              body: { active: !p.active, expectedVersion: p.version },
            });
            say(
              t(p.active ? 'maintenance.setup.planDeactivated' : 'maintenance.setup.planActivated', {
                code: p.code,
              }),
            );
            await load();
          } catch (error) {
            showProblem(box, error);
          }
        },
        { name: p.active ? 'deactivatePlan' : 'activatePlan', danger: p.active },
      ),
      box,
    );
  }

  // ------------------------------------------------------------ the editor

  function openEditor(what) {
    state.editing = what;
    state.asset = null;
    state.planMeters = [];
    state.notice = null;
    remember();
    editor.hidden = false;
    paint({ editor: true });
    if (what.kind === 'asset' && what.code && !what.fresh) void loadAsset(what.code);
    editor.scrollIntoView({ block: 'start' });
    editor.querySelector('input:not([disabled]), select:not([disabled])')?.focus();
  }

  function closeEditor() {
    state.editing = null;
    state.asset = null;
    editor.hidden = true;
    editor.replaceChildren();
    remember();
  }

  async function loadAsset(code) {
    try {
      state.asset = await api(`/sites/${site.id}/maintenance/assets/${encodeURIComponent(code)}`);
    } catch (error) {
      showProblem(problem, error);
    }
    if (alive && state.editing?.code === code) paintEditor();
  }

  function paintEditor() {
    const e = state.editing;
    if (!e || !can.setup || !state.assets) {
      editor.hidden = true;
      return;
    }
    editor.hidden = false;
    if (e.kind === 'asset') fill(editor, assetForm(e), e.code && !e.fresh ? metersPanel() : null);
    else fill(editor, planForm(e));
  }

  function cancelButton() {
    return h(
      'button',
      { type: 'button', class: 'button', id: 'mt-setup-cancel', onclick: () => (closeEditor(), paint()) },
      t('maintenance.form.close'),
    );
  }

  // ------------------------------------------------------------ asset form (register or edit)

  function assetForm(e) {
    const editing = e.code && !e.fresh;
    const a = editing ? (state.asset ?? state.assets.find((x) => x.code === e.code)) : null;
    const unregistered = e.fresh ? state.equipment.find((x) => x.code === e.code) : null;
    const box = problemBox('mt-asset-form-problem');
    const input = (name, attrs = {}) =>
      h('input', { id: `mt-asset-${name}`, name, autocomplete: 'off', ...attrs });
    const kind = h(
      'select',
      { id: 'mt-asset-kind', name: 'kind', disabled: editing || e.fresh ? true : undefined },
      ['equipment', 'component'].map((k) =>
        h('option', { value: k, selected: (a?.kind ?? 'equipment') === k }, t(`maintenance.assetKind.${k}`)),
      ),
    );
    const equipment = h(
      'select',
      { id: 'mt-asset-equipment', name: 'equipment', disabled: editing || e.fresh ? true : undefined },
      h('option', { value: '' }, t('maintenance.form.pickAsset')),
      state.equipment.map((x) =>
        h(
          'option',
          {
            value: x.code,
            selected: x.id === a?.equipmentId || x.code === unregistered?.code,
          },
          `${x.code} · ${x.name}`,
        ),
      ),
    );
    const parent = h('select', { id: 'mt-asset-parent', name: 'parent' });
    const fillParents = () => {
      const eq = state.equipment.find((x) => x.code === equipment.value);
      const onMachine = state.assets.filter((x) => eq && x.equipmentId === eq.id);
      fill(
        parent,
        h(
          'option',
          { value: eq?.code ?? '' },
          eq ? t('maintenance.setup.parentMachine', { code: eq.code }) : '—',
        ),
        onMachine
          .filter((x) => x.kind === 'component')
          .map((x) => h('option', { value: x.code }, `${x.code} · ${x.name}`)),
      );
    };
    const code = input('code', {
      maxlength: '64',
      value: a?.code ?? '',
      disabled: editing || e.fresh ? true : undefined,
    });
    const name = input('name', { maxlength: '200', value: a?.name ?? unregistered?.name ?? '' });
    const serialNo = input('serialNo', { maxlength: '100', value: a?.serialNo ?? '' });
    const manufacturer = input('manufacturer', { maxlength: '100', value: a?.manufacturer ?? '' });
    const model = input('model', { maxlength: '100', value: a?.model ?? '' });
    const installDate = input('installDate', { type: 'date', value: a?.installDate ?? '' });
    const criticality = h(
      'select',
      { id: 'mt-asset-criticality', name: 'criticality' },
      CRITICALITIES.map((c) =>
        h(
          'option',
          { value: c, selected: (a?.criticality ?? 'B') === c },
          t(`maintenance.setup.criticality.${c}`),
        ),
      ),
    );
    const active = h('input', {
      type: 'checkbox',
      id: 'mt-asset-active',
      name: 'active',
      checked: a ? a.active : true,
    });
    const componentOnly = [field('maintenance.setup.parent', parent)];
    const sync = () => {
      const component = kind.value === 'component';
      for (const el of componentOnly) el.hidden = !component;
      code.required = component;
      fillParents();
    };
    kind.addEventListener('change', sync);
    equipment.addEventListener('change', () => {
      fillParents();
      if (kind.value === 'equipment' && !name.value) {
        name.value = state.equipment.find((x) => x.code === equipment.value)?.name ?? '';
      }
    });
    const form = h(
      'form',
      { class: 'mt-form', id: 'mt-asset-form', novalidate: true },
      h(
        'h2',
        { id: 'mt-asset-form-title' },
        editing
          ? t('maintenance.setup.editAsset', { code: a?.code ?? e.code })
          : e.fresh
            ? t('maintenance.setup.registerMachine', { code: e.code })
            : t('maintenance.setup.newAsset'),
      ),
      box,
      h(
        'div',
        { class: 'mt-form-grid' },
        field('maintenance.setup.kind', kind),
        field('maintenance.setup.machine', equipment),
        componentOnly,
        field('maintenance.setup.code', code, editing || e.fresh ? null : t('maintenance.setup.codeHint')),
        field('maintenance.setup.name', name),
        field('maintenance.setup.criticality', criticality, t('maintenance.setup.criticalityHint')),
        field('maintenance.assets.col.serial', serialNo),
        field('maintenance.assets.manufacturer', manufacturer),
        field('maintenance.assets.model', model),
        field('maintenance.assets.installDate', installDate),
        editing
          ? h('label', { class: 'mt-check' }, active, h('span', {}, t('maintenance.setup.assetActive')))
          : null,
      ),
      h(
        'div',
        { class: 'mt-actions' },
        h(
          'button',
          { type: 'submit', class: 'button primary', id: 'mt-asset-submit' },
          t('maintenance.action.save'),
        ),
        cancelButton(),
      ),
    );
    sync();
    clearFieldOnEdit(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const submit = form.querySelector('#mt-asset-submit');
      submit.disabled = true;
      clearFormProblem(form, box);
      const details = {
        name: optional(name.value),
        serialNo: serialNo.value.trim(),
        manufacturer: manufacturer.value.trim(),
        model: model.value.trim(),
        installDate: optional(installDate.value),
        criticality: criticality.value,
      };
      try {
        let saved;
        if (editing) {
          saved = await api(`/sites/${site.id}/maintenance/assets/${a.id}`, {
            method: 'PATCH',
            body: {
              ...details,
              active: active.checked,
              expectedVersion: a.version,
            },
          });
        } else {
          const component = kind.value === 'component';
          saved = await api(`/sites/${site.id}/maintenance/assets`, {
            method: 'POST',
            body: {
              equipment: equipment.value,
              ...(component ? { parent: parent.value, code: optional(code.value) } : {}),
              ...(!component && optional(code.value) ? { code: optional(code.value) } : {}),
              ...Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined && v !== '')),
            },
          });
        }
        say(t('maintenance.setup.assetSaved', { code: saved.code }));
        state.editing = { kind: 'asset', code: saved.code };
        await load();
        await loadAsset(saved.code);
        remember();
      } catch (error) {
        showFormProblem(form, box, error);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  // ------------------------------------------------------------ meters of the asset being edited

  function metersPanel() {
    const a = state.asset;
    if (!a) return h('p', { class: 'muted' }, t('common.loading'));
    const box = problemBox('mt-meter-form-problem');
    const code = h('input', { id: 'mt-meter-code', name: 'code', maxlength: '64', autocomplete: 'off' });
    const kind = h(
      'select',
      { id: 'mt-meter-kind', name: 'kind' },
      METER_KINDS.map((k) => h('option', { value: k }, t(`maintenance.setup.meterKind.${k}`))),
    );
    const feed = h(
      'select',
      { id: 'mt-meter-feed', name: 'feed' },
      METER_FEEDS.map((f) => h('option', { value: f }, t(`maintenance.meterFeed.${f}`))),
    );
    const unit = h('input', {
      id: 'mt-meter-unit',
      name: 'unit',
      maxlength: '16',
      placeholder: 'h',
      autocomplete: 'off',
    });
    const offset = h('input', {
      id: 'mt-meter-offset',
      name: 'offset',
      inputmode: 'decimal',
      autocomplete: 'off',
    });
    kind.addEventListener('change', () => {
      if (!unit.value || ['h', 'pcs'].includes(unit.value))
        unit.value = kind.value === 'run_hours' ? 'h' : kind.value === 'other' ? '' : 'pcs';
    });
    const form = h(
      'form',
      { class: 'mt-form mt-subform', id: 'mt-meter-form', novalidate: true },
      h('h3', {}, t('maintenance.setup.newMeter')),
      box,
      h(
        'div',
        { class: 'mt-form-grid' },
        field('maintenance.setup.meterCode', code),
        field('maintenance.setup.meterKind', kind),
        field('maintenance.setup.meterFeed', feed, t('maintenance.setup.meterFeedHint')),
        field('maintenance.setup.meterUnit', unit),
        field('maintenance.setup.meterOffset', offset, t('maintenance.setup.meterOffsetHint')),
      ),
      h(
        'div',
        { class: 'mt-actions' },
        h(
          'button',
          { type: 'submit', class: 'button primary', id: 'mt-meter-submit' },
          t('maintenance.setup.addMeter'),
        ),
      ),
    );
    clearFieldOnEdit(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const submit = form.querySelector('#mt-meter-submit');
      submit.disabled = true;
      clearFormProblem(form, box);
      try {
        const meter = await api(`/sites/${site.id}/maintenance/assets/${a.id}/meters`, {
          method: 'POST',
          body: {
            code: code.value.trim(),
            kind: kind.value,
            feed: feed.value,
            ...(optional(unit.value) ? { unit: unit.value.trim() } : {}),
            ...(optional(offset.value) ? { offset: offset.value.trim() } : {}),
          },
        });
        say(t('maintenance.setup.meterSaved', { code: meter.code, asset: a.code }));
        await loadAsset(a.code);
      } catch (error) {
        showFormProblem(form, box, error);
      } finally {
        submit.disabled = false;
      }
    });
    return h(
      'section',
      { class: 'mt-setup-meters', id: 'mt-setup-meters', 'aria-labelledby': 'mt-setup-meters-title' },
      h('h3', { id: 'mt-setup-meters-title' }, t('maintenance.meters.title')),
      a.meters.length === 0
        ? h('p', { class: 'muted' }, t('maintenance.meters.none'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['meterCode', 'meterKind', 'meterFeed', 'meterValue'].map((c) =>
                    h('th', { scope: 'col' }, t(`maintenance.setup.${c}`)),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                a.meters.map((m) =>
                  h(
                    'tr',
                    { dataset: { meter: m.code } },
                    h('th', { scope: 'row' }, m.code),
                    h('td', {}, t(`maintenance.setup.meterKind.${m.kind}`)),
                    h('td', {}, t(`maintenance.meterFeed.${m.feed}`)),
                    h(
                      'td',
                      { class: 'num', dataset: { field: 'value' } },
                      `${formatNumber(m.value)} ${m.unit}`,
                    ),
                  ),
                ),
              ),
            ),
          ),
      h('p', { class: 'muted small' }, t('maintenance.setup.meterNoEdit')),
      form,
    );
  }

  // ------------------------------------------------------------ PM plan form (create or edit)

  function planForm(e) {
    const p = e.code ? state.plans.find((x) => x.code === e.code) : null;
    const editing = Boolean(p);
    const box = problemBox('mt-plan-form-problem');
    const input = (name, attrs = {}) =>
      h('input', { id: `mt-plan-${name}`, name, autocomplete: 'off', ...attrs });
    const assetOptions = assetRows().filter((a) => a.active !== false);
    const asset = h(
      'select',
      { id: 'mt-plan-asset', name: 'asset', disabled: editing ? true : undefined },
      h('option', { value: '' }, t('maintenance.form.pickAsset')),
      assetOptions.map((a) =>
        h(
          'option',
          { value: a.code, selected: a.code === (p?.assetCode ?? e.asset) },
          `${a.code} · ${a.name}`,
        ),
      ),
    );
    const code = input('code', {
      maxlength: '64',
      value: p?.code ?? '',
      disabled: editing ? true : undefined,
    });
    const name = input('name', { maxlength: '200', value: p?.name ?? '' });
    const triggerName = 'trigger';
    const trigger = (value) =>
      h(
        'label',
        { class: 'mt-check' },
        h('input', {
          type: 'radio',
          name: triggerName,
          id: `mt-plan-trigger-${value}`,
          value,
          checked: (p?.trigger ?? 'calendar') === value,
          disabled: editing ? true : undefined,
        }),
        h('span', {}, t(`maintenance.setup.trigger.${value}`)),
      );
    const repeat = h(
      'select',
      { id: 'mt-plan-repeat', name: 'repeat', disabled: editing ? true : undefined },
      ['every', 'dates'].map((r) =>
        h(
          'option',
          { value: r, selected: (p?.fixedDates?.length ? 'dates' : 'every') === r },
          t(`maintenance.setup.repeat.${r}`),
        ),
      ),
    );
    const every = input('every', {
      type: 'number',
      min: '1',
      max: '1000',
      value: String(p?.everyN ?? 1),
      disabled: editing ? true : undefined,
    });
    const unit = h(
      'select',
      { id: 'mt-plan-unit', name: 'unit', disabled: editing ? true : undefined },
      UNITS.map((u) =>
        h(
          'option',
          { value: u, selected: (p?.everyUnit ?? 'month') === u },
          t(`maintenance.setup.unit.${u}`),
        ),
      ),
    );
    const basis = h(
      'select',
      { id: 'mt-plan-basis', name: 'basis', disabled: editing ? true : undefined },
      ['fixed', 'completion'].map((b) =>
        h('option', { value: b, selected: (p?.basis ?? 'fixed') === b }, t(`maintenance.setup.basis.${b}`)),
      ),
    );
    const fixedDates = input('fixedDates', {
      value: (p?.fixedDates ?? []).join(', '),
      placeholder: '01-15, 07-15',
      disabled: editing ? true : undefined,
    });
    const startDate = input('startDate', {
      type: 'date',
      value: p?.startDate ?? '',
      disabled: editing ? true : undefined,
    });
    const leadDays = input('leadDays', {
      type: 'number',
      min: '0',
      max: '365',
      value: String(p?.leadDays ?? 0),
    });
    const startTime = input('startTime', { type: 'time', value: p?.startTime?.slice(0, 5) ?? '08:00' });
    const meter = h('select', { id: 'mt-plan-meter', name: 'meter', disabled: editing ? true : undefined });
    const meterInterval = input('meterInterval', {
      inputmode: 'decimal',
      value: p?.meterInterval ?? '',
      disabled: editing ? true : undefined,
    });
    const leadUnits = input('leadUnits', {
      inputmode: 'decimal',
      value: p?.leadUnits ?? '',
      disabled: editing ? true : undefined,
    });
    const minutes = input('estimatedMinutes', {
      type: 'number',
      min: '1',
      max: '10080',
      value: String(p?.estimatedMinutes ?? 60),
    });
    const priority = h(
      'select',
      { id: 'mt-plan-priority', name: 'priority', disabled: editing ? true : undefined },
      PLAN_PRIORITIES.map((x) =>
        h('option', { value: x, selected: (p?.priority ?? 'normal') === x }, t(`maintenance.priority.${x}`)),
      ),
    );
    const signature = h('input', {
      type: 'checkbox',
      id: 'mt-plan-signature',
      name: 'signatureRequired',
      checked: p?.signatureRequired ?? false,
      disabled: editing ? true : undefined,
    });
    const active = h('input', {
      type: 'checkbox',
      id: 'mt-plan-active',
      name: 'active',
      checked: p?.active ?? true,
    });

    // The checklist: rows of text (and its Chinese wording), added and removed.
    const items = (p?.checklist ?? []).map((c) => ({ text: c.text, textZh: c.textZh ?? '' }));
    const checklist = h('ol', { class: 'mt-checklist-edit', id: 'mt-plan-checklist' });
    const paintChecklist = () => {
      fill(
        checklist,
        items.map((item, i) => {
          const text = h('input', {
            id: `mt-plan-check-${i}`,
            name: `checklist`,
            maxlength: '300',
            value: item.text,
            'aria-label': t('maintenance.setup.checkText', { n: i + 1 }),
          });
          const zh = h('input', {
            id: `mt-plan-check-zh-${i}`,
            maxlength: '300',
            value: item.textZh,
            lang: 'zh-CN',
            'aria-label': t('maintenance.setup.checkTextZh', { n: i + 1 }),
            placeholder: t('maintenance.setup.checkTextZhHint'),
          });
          text.addEventListener('input', () => (item.text = text.value));
          zh.addEventListener('input', () => (item.textZh = zh.value));
          return h(
            'li',
            { class: 'mt-inline-form' },
            text,
            zh,
            h(
              'button',
              {
                type: 'button',
                class: 'button',
                dataset: { removeCheck: String(i) },
                'aria-label': t('maintenance.setup.removeCheck', { n: i + 1 }),
                onclick: () => {
                  items.splice(i, 1);
                  paintChecklist();
                },
              },
              '×',
            ),
          );
        }),
      );
    };
    paintChecklist();
    const addCheck = h(
      'button',
      {
        type: 'button',
        class: 'button',
        id: 'mt-plan-add-check',
        onclick: () => {
          items.push({ text: '', textZh: '' });
          paintChecklist();
          checklist.querySelector(`#mt-plan-check-${items.length - 1}`)?.focus();
        },
      },
      t('maintenance.setup.addCheck'),
    );

    const calendarPart = h(
      'fieldset',
      { class: 'mt-fieldset', id: 'mt-plan-calendar' },
      h('legend', {}, t('maintenance.setup.trigger.calendar')),
      h(
        'div',
        { class: 'mt-form-grid' },
        field('maintenance.setup.repeat', repeat),
        field('maintenance.setup.every', every),
        field('maintenance.setup.unit', unit),
        field('maintenance.setup.basis', basis),
        field('maintenance.setup.fixedDates', fixedDates, t('maintenance.setup.fixedDatesHint')),
        field('maintenance.setup.startDate', startDate, t('maintenance.setup.startDateHint')),
        field('maintenance.setup.leadDays', leadDays),
      ),
    );
    const meterPart = h(
      'fieldset',
      { class: 'mt-fieldset', id: 'mt-plan-meter-part' },
      h('legend', {}, t('maintenance.setup.trigger.meter')),
      h(
        'div',
        { class: 'mt-form-grid' },
        field('maintenance.setup.meter', meter),
        field('maintenance.setup.meterInterval', meterInterval),
        field('maintenance.setup.leadUnits', leadUnits, t('maintenance.setup.leadUnitsHint')),
      ),
    );
    const triggerValue = () =>
      form.querySelector(`input[name="${triggerName}"]:checked`)?.value ?? 'calendar';
    const sync = () => {
      const calendar = triggerValue() === 'calendar';
      calendarPart.hidden = !calendar;
      meterPart.hidden = calendar;
      const dates = repeat.value === 'dates';
      every.closest('.mt-field').hidden = dates;
      unit.closest('.mt-field').hidden = dates;
      basis.closest('.mt-field').hidden = dates;
      fixedDates.closest('.mt-field').hidden = !dates;
    };
    const fillMeters = async () => {
      const chosen = p?.meterId ?? meter.value;
      fill(meter, h('option', { value: '' }, t('maintenance.setup.pickMeter')));
      if (!asset.value) return;
      try {
        const view = await api(`/sites/${site.id}/maintenance/assets/${encodeURIComponent(asset.value)}`);
        state.planMeters = view.meters;
      } catch (error) {
        state.planMeters = [];
        showProblem(box, error);
      }
      fill(
        meter,
        h(
          'option',
          { value: '' },
          state.planMeters.length ? t('maintenance.setup.pickMeter') : t('maintenance.setup.noMeters'),
        ),
        state.planMeters.map((m) =>
          h(
            'option',
            { value: m.code, selected: m.id === chosen || m.code === chosen },
            `${m.code} (${formatNumber(m.value)} ${m.unit})`,
          ),
        ),
      );
    };
    asset.addEventListener('change', () => {
      if (triggerValue() === 'meter') void fillMeters();
    });
    repeat.addEventListener('change', sync);

    const form = h(
      'form',
      { class: 'mt-form', id: 'mt-plan-form', novalidate: true },
      h(
        'h2',
        { id: 'mt-plan-form-title' },
        editing ? t('maintenance.setup.editPlan', { code: p.code }) : t('maintenance.setup.newPlan'),
      ),
      box,
      h(
        'div',
        { class: 'mt-form-grid' },
        field('maintenance.plans.col.asset', asset),
        field('maintenance.setup.planCode', code),
        field('maintenance.setup.planName', name),
        field('maintenance.setup.estimatedMinutes', minutes, t('maintenance.setup.estimatedMinutesHint')),
        field(
          'maintenance.setup.startTime',
          startTime,
          t('maintenance.form.siteTime', { zone: site.timeZone }),
        ),
        field('maintenance.form.priority', priority),
      ),
      h(
        'fieldset',
        { class: 'mt-fieldset mt-radios' },
        h('legend', {}, t('maintenance.setup.trigger')),
        trigger('calendar'),
        trigger('meter'),
      ),
      calendarPart,
      meterPart,
      h(
        'fieldset',
        { class: 'mt-fieldset' },
        h('legend', {}, t('maintenance.setup.checklist')),
        checklist,
        addCheck,
      ),
      h('label', { class: 'mt-check' }, signature, h('span', {}, t('maintenance.setup.signatureRequired'))),
      editing
        ? h('label', { class: 'mt-check' }, active, h('span', {}, t('maintenance.setup.planActive')))
        : null,
      editing ? h('p', { class: 'muted small' }, t('maintenance.setup.planEditNote')) : null,
      h(
        'div',
        { class: 'mt-actions' },
        h(
          'button',
          { type: 'submit', class: 'button primary', id: 'mt-plan-submit' },
          t('maintenance.action.save'),
        ),
        cancelButton(),
      ),
    );
    for (const radio of form.querySelectorAll(`input[name="${triggerName}"]`)) {
      radio.addEventListener('change', () => {
        sync();
        if (triggerValue() === 'meter') void fillMeters();
      });
    }
    sync();
    clearFieldOnEdit(form);
    if (p?.trigger === 'meter') void fillMeters();

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const submit = form.querySelector('#mt-plan-submit');
      submit.disabled = true;
      clearFormProblem(form, box);
      const list = items
        .filter((c) => c.text.trim() !== '')
        .map((c) => ({ text: c.text.trim(), ...(c.textZh.trim() ? { textZh: c.textZh.trim() } : {}) }));
      const int = (el) => (el.value.trim() === '' ? undefined : Number(el.value));
      try {
        let saved;
        if (editing) {
          saved = await api(`/sites/${site.id}/maintenance/pm-plans/${p.id}`, {
            method: 'PATCH',
            body: {
              name: name.value,
              estimatedMinutes: int(minutes),
              leadDays: int(leadDays),
              ...(startTime.value ? { startTime: startTime.value } : {}),
              checklist: list,
              active: active.checked,
              expectedVersion: p.version,
            },
          });
        } else {
          const calendar = triggerValue() === 'calendar';
          const dates = repeat.value === 'dates';
          const body = {
            asset: asset.value,
            code: code.value.trim(),
            name: name.value,
            trigger: triggerValue(),
            estimatedMinutes: int(minutes),
            ...(startTime.value ? { startTime: startTime.value } : {}),
            priority: priority.value,
            signatureRequired: signature.checked,
            ...(list.length > 0 ? { checklist: list } : {}),
          };
          if (calendar) {
            if (dates) {
              body.fixedDates = fixedDates.value
                .split(/[\s,;，；]+/)
                .map((x) => x.trim())
                .filter(Boolean);
            } else {
              body.every = int(every);
              body.unit = unit.value;
              body.basis = basis.value;
            }
            if (startDate.value) body.startDate = startDate.value;
            if (int(leadDays) !== undefined) body.leadDays = int(leadDays);
          } else {
            body.meter = meter.value || undefined;
            body.meterInterval = optional(meterInterval.value);
            if (optional(leadUnits.value)) body.leadUnits = leadUnits.value.trim();
          }
          saved = await api(`/sites/${site.id}/maintenance/pm-plans`, { method: 'POST', body });
        }
        say(
          t('maintenance.setup.planSaved', {
            code: saved.code,
            due: saved.next?.dueAt ? formatDateTime(saved.next.dueAt, site.timeZone) : '—',
          }),
        );
        closeEditor();
        await load();
      } catch (error) {
        showFormProblem(form, box, error);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  const wanted = params.get('edit');
  /** A link to one asset's or plan's set-up opens it once the lists are there. */
  void load().then(() => {
    if (!alive || !wanted || !can.setup || !state.assets) return;
    if (state.section === 'plans' && state.plans.some((x) => x.code === wanted)) {
      openEditor({ kind: 'plan', code: wanted });
    } else if (state.section === 'assets') {
      const registered = state.assets.some((x) => x.code === wanted);
      const machine = state.equipment.some((x) => x.code === wanted);
      if (registered || machine) openEditor({ kind: 'asset', code: wanted, fresh: !registered });
    }
  });
  paint();
  return {
    unmount() {
      alive = false;
    },
    relabel: () => paint({ editor: true }),
  };
}
