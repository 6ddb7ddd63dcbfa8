// One ticket (维修工单): its state, the work done (labour, checklist, notes), the spare parts, the downtime and
// the commands the state machine offers, each form showing the API's answer.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, locale, t } from '../../i18n.js';
import {
  actionButton,
  ACTIVE,
  assetHref,
  clearProblem,
  field,
  formatDuration,
  formatMinutes,
  isoToZoned,
  kindBadge,
  link,
  newKey,
  priorityBadge,
  PRIORITIES,
  problemBox,
  showProblem,
  statusBadge,
  statusLabel,
  time,
  technicians,
  technicianSelect,
  whoAmI,
  zonedToIso,
  fill,
} from './common.js';

const STEPS = ['open', 'assigned', 'in_progress', 'done', 'verified'];

export function mountTicket(container, ctx) {
  const { site, can, params } = ctx;
  const id = params.get('id');
  const wanted = params.get('action');
  const state = {
    ticket: null,
    error: null,
    me: null,
    materials: null,
    lots: [],
    focusDone: false,
    technicians: null,
    techniciansError: null,
  };
  const removers = [];
  let alive = true;
  // Form values typed but not yet sent survive a repaint (a live update, a language switch).
  const drafts = new Map();

  const problem = problemBox('mt-ticket-problem');
  const body = h('div', { class: 'mt-ticket', id: 'mt-ticket', 'aria-busy': 'true' });
  const liveNote = h('p', { class: 'visually-hidden', role: 'status', id: 'mt-ticket-live' });
  fill(
    container,
    h(
      'p',
      { class: 'mt-back' },
      h('a', { href: '/maintenance?view=board', 'data-link': true, id: 'mt-back' }),
    ),
    problem,
    body,
    liveNote,
  );

  async function load() {
    try {
      state.ticket = await api(`/sites/${site.id}/maintenance/tickets/${encodeURIComponent(id ?? '')}`);
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    if (!alive) return;
    paint();
  }

  function paint() {
    container.querySelector('#mt-back').textContent = `← ${t('maintenance.backToBoard')}`;
    if (state.error) {
      showProblem(problem, state.error);
      body.setAttribute('aria-busy', 'false');
      if (!state.ticket) return;
    }
    const x = state.ticket;
    if (!x) return;
    body.setAttribute('aria-busy', 'false');
    body.dataset.status = x.status;
    body.dataset.version = String(x.version);
    fill(
      body,
      head(x),
      stepper(x),
      h(
        'div',
        { class: 'mt-ticket-grid' },
        h('div', { class: 'mt-ticket-main' }, commands(x), checklist(x), labour(x), parts(x)),
        h('div', { class: 'mt-ticket-side' }, facts(x), downtime(x), attachments(x), signatures(x)),
      ),
    );
    restoreDrafts();
    if (!state.focusDone && wanted) {
      state.focusDone = true;
      const target = body.querySelector(`#mt-form-${wanted}`);
      if (target) {
        target.scrollIntoView({ block: 'center' });
        target.querySelector('input, textarea, select, button')?.focus();
      }
    }
  }

  /** Only what the person typed or chose is kept (not the values the page filled in). */
  function remember(event) {
    const input = event.target;
    if (!input?.id || input.type === 'checkbox' || input.type === 'password') return;
    drafts.set(input.id, input.value);
  }
  body.addEventListener('input', remember);
  body.addEventListener('change', remember);

  function restoreDrafts() {
    for (const [key, value] of drafts) {
      const input = body.querySelector(`#${key}`);
      if (input && value) input.value = value;
    }
  }

  // ------------------------------------------------------------ head, facts, stepper

  function head(x) {
    return h(
      'header',
      { class: 'mt-ticket-head' },
      h(
        'h2',
        { id: 'mt-ticket-title' },
        h('span', { class: 'mt-code', id: 'mt-ticket-code' }, x.code),
        ' ',
        h('span', {}, x.title),
      ),
      h(
        'p',
        { class: 'mt-badges' },
        statusBadge(x.status),
        priorityBadge(x.priority),
        kindBadge(x.kind),
        x.breakdown && ACTIVE.includes(x.status)
          ? h('span', { class: 'badge danger' }, t('maintenance.machineDown'))
          : null,
      ),
      x.description ? h('p', { class: 'mt-description' }, x.description) : null,
    );
  }

  function stepper(x) {
    const at = STEPS.indexOf(x.status);
    return h(
      'ol',
      { class: 'mt-stepper', 'aria-label': t('maintenance.lifecycle') },
      x.status === 'cancelled'
        ? h('li', { class: 'current', 'aria-current': 'step' }, statusLabel('cancelled'))
        : STEPS.map((s, i) =>
            h(
              'li',
              {
                class: i < at ? 'past' : i === at ? 'current' : 'future',
                'aria-current': i === at ? 'step' : undefined,
              },
              statusLabel(s),
            ),
          ),
    );
  }

  function facts(x) {
    const row = (key, value, name) =>
      h('div', {}, h('dt', {}, t(key)), h('dd', { dataset: name ? { fact: name } : undefined }, value));
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'mt-facts-title' },
      h('h3', { id: 'mt-facts-title' }, t('maintenance.ticket.facts')),
      h(
        'dl',
        { class: 'mt-facts' },
        row(
          'maintenance.ticket.asset',
          link(assetHref(x.assetCode || x.equipmentCode), x.assetCode),
          'asset',
        ),
        row('maintenance.ticket.equipment', x.equipmentCode, 'equipment'),
        row('maintenance.ticket.assignee', x.assigneeName ?? t('maintenance.unassigned'), 'assignee'),
        row('maintenance.ticket.raisedBy', x.raisedByName, 'raisedBy'),
        row('maintenance.ticket.createdAt', time(x.createdAt, site), 'createdAt'),
        row('maintenance.ticket.age', formatDuration(Date.now() - Date.parse(x.createdAt)), 'age'),
        x.startedAt ? row('maintenance.ticket.startedAt', time(x.startedAt, site), 'startedAt') : null,
        x.doneAt ? row('maintenance.ticket.doneAt', time(x.doneAt, site), 'doneAt') : null,
        x.verifiedAt ? row('maintenance.ticket.verifiedAt', time(x.verifiedAt, site), 'verifiedAt') : null,
        x.dueAt ? row('maintenance.ticket.dueAt', time(x.dueAt, site), 'dueAt') : null,
        x.windowStart
          ? row(
              'maintenance.ticket.window',
              `${formatDateTime(x.windowStart, site.timeZone)} – ${formatDateTime(x.windowEnd, site.timeZone)}`,
              'window',
            )
          : null,
        x.estimatedMinutes
          ? row('maintenance.ticket.estimate', formatMinutes(x.estimatedMinutes), 'estimate')
          : null,
        x.skills.length > 0 ? row('maintenance.ticket.skills', x.skills.join(t('list.separator'))) : null,
        x.failureCode ? row('maintenance.ticket.failureCode', x.failureCode, 'failureCode') : null,
        x.cause ? row('maintenance.ticket.cause', x.cause, 'cause') : null,
        x.remedy ? row('maintenance.ticket.remedy', x.remedy, 'remedy') : null,
        x.cancelReason ? row('maintenance.ticket.cancelReason', x.cancelReason) : null,
        row('maintenance.ticket.version', formatNumber(x.version)),
      ),
      can.edit && ACTIVE.includes(x.status) ? priorityForm(x) : null,
    );
  }

  function priorityForm(x) {
    const select = h(
      'select',
      { id: 'mt-edit-priority' },
      PRIORITIES.map((p) =>
        h('option', { value: p, selected: p === x.priority }, t(`maintenance.priority.${p}`)),
      ),
    );
    const box = problemBox('mt-priority-problem');
    return h(
      'div',
      { class: 'mt-inline-form' },
      field('maintenance.form.priority', select),
      actionButton(
        t('maintenance.action.save'),
        async () => {
          clearProblem(box);
          try {
            await patch({ priority: select.value, expectedVersion: x.version });
            drafts.delete('mt-edit-priority');
          } catch (error) {
            showProblem(box, error);
          }
        },
        { name: 'priority' },
      ),
      box,
    );
  }

  // ------------------------------------------------------------ commands

  function commands(x) {
    const allowed = x.allowedCommands;
    const forms = [];
    const box = problemBox('mt-command-problem');
    const quick = [];
    const mine = state.me && x.assigneeId === state.me.id;
    if (can.work && allowed.includes('assign') && !mine) {
      quick.push(
        actionButton(
          t('maintenance.action.assignMe'),
          () =>
            command(box, 'assign', {
              technician: state.me?.id ?? ctx.session.user.username,
              expectedVersion: x.version,
            }),
          {
            name: 'assignMe',
          },
        ),
      );
    }
    if (can.work && allowed.includes('start')) {
      quick.push(
        actionButton(t('maintenance.action.start'), () => command(box, 'start', {}), {
          primary: true,
          name: 'start',
        }),
      );
    }
    if (can.work && x.status === 'in_progress') {
      const running = state.me && x.labour.some((l) => l.technicianId === state.me.id && !l.endedAt);
      quick.push(
        running
          ? actionButton(t('maintenance.action.stopLabour'), () => command(box, 'labour/stop', {}), {
              name: 'stopLabour',
            })
          : actionButton(t('maintenance.action.startLabour'), () => command(box, 'labour/start', {}), {
              name: 'startLabour',
            }),
      );
    }
    if (can.work && allowed.includes('assign')) forms.push(assignForm(x, box));
    if (can.work && allowed.includes('complete')) forms.push(completeForm(x, box));
    if (can.verify && allowed.includes('verify')) forms.push(verifyForm(x, box));
    if (can.verify && allowed.includes('reopen')) forms.push(reasonForm(x, box, 'reopen'));
    if (can.work && allowed.includes('cancel')) forms.push(reasonForm(x, box, 'cancel'));
    if (quick.length === 0 && forms.length === 0) return null;
    return h(
      'section',
      { class: 'card mt-commands', id: 'mt-commands', 'aria-labelledby': 'mt-commands-title' },
      h('h3', { id: 'mt-commands-title' }, t('maintenance.ticket.commands')),
      box,
      quick.length > 0 ? h('div', { class: 'mt-actions' }, quick) : null,
      forms,
    );
  }

  /** Posts a command; the page shows the ticket the API answers (and the live push repaints the board). */
  async function command(box, path, bodyData, { key = false } = {}) {
    clearProblem(box);
    clearProblem(problem);
    try {
      state.ticket = await api(`/sites/${site.id}/maintenance/tickets/${state.ticket.id}/${path}`, {
        method: 'POST',
        body: bodyData,
        ...(key ? { idempotencyKey: newKey() } : {}),
      });
      // The answer of a command carries no signatures; read the whole ticket again.
      liveNote.textContent = t('maintenance.saved', { code: state.ticket.code });
      await load();
      return true;
    } catch (error) {
      showProblem(box, error);
      box.scrollIntoView({ block: 'nearest' });
      return false;
    }
  }

  async function patch(bodyData) {
    state.ticket = await api(`/sites/${site.id}/maintenance/tickets/${state.ticket.id}`, {
      method: 'PATCH',
      body: bodyData,
    });
    await load();
  }

  function assignForm(x, box) {
    const select = technicianSelect(state.technicians, {
      id: 'mt-assign-technician',
      selected: x.status === 'open' ? undefined : (x.assigneeId ?? undefined),
    });
    const hint = state.techniciansError
      ? problemBox('mt-technicians-problem')
      : state.technicians && select.dataset.technicians === '0'
        ? h('p', { class: 'muted small' }, t('maintenance.assign.none'))
        : null;
    if (state.techniciansError) showProblem(hint, state.techniciansError);
    return h(
      'div',
      { class: 'mt-inline-form', id: 'mt-form-assign' },
      field('maintenance.form.technician', select),
      actionButton(
        t('maintenance.action.assign'),
        async () => {
          if (!select.value) {
            select.setAttribute('aria-invalid', 'true');
            select.focus();
            return;
          }
          if (await command(box, 'assign', { technician: select.value, expectedVersion: x.version })) {
            drafts.delete('mt-assign-technician');
            void loadTechnicians(true);
          }
        },
        { name: 'assign' },
      ),
      hint,
    );
  }

  async function loadTechnicians(fresh = false) {
    try {
      state.technicians = await technicians(site.id, { fresh });
      state.techniciansError = null;
    } catch (error) {
      state.techniciansError = error;
    }
    if (alive && state.ticket) paint();
  }

  function completeForm(x, box) {
    const corrective = x.kind === 'corrective';
    const failureCode = h('input', {
      id: 'mt-complete-failure',
      maxlength: '64',
      value: x.failureCode ?? '',
    });
    const cause = h('textarea', { id: 'mt-complete-cause', rows: '2', maxlength: '1000' }, x.cause ?? '');
    const remedy = h('textarea', { id: 'mt-complete-remedy', rows: '2', maxlength: '1000' }, x.remedy ?? '');
    const note = h('input', { id: 'mt-complete-note', maxlength: '500' });
    const open = x.kind === 'preventive' ? x.checklist.filter((c) => !c.done).length : 0;
    return h(
      'form',
      {
        class: 'mt-form mt-subform',
        id: 'mt-form-complete',
        novalidate: true,
        onsubmit: (e) => e.preventDefault(),
      },
      h('h4', {}, t('maintenance.ticket.completeTitle')),
      corrective ? h('p', { class: 'muted small' }, t('maintenance.ticket.completeHint')) : null,
      open > 0
        ? h('p', { class: 'notice small' }, t('maintenance.ticket.checklistOpen', { count: open }))
        : null,
      h(
        'div',
        { class: 'mt-form-grid' },
        corrective ? field('maintenance.form.failureCode', failureCode) : null,
        corrective ? field('maintenance.form.cause', cause) : null,
        corrective ? field('maintenance.form.remedy', remedy) : null,
        field('maintenance.form.note', note),
      ),
      h(
        'div',
        { class: 'mt-actions' },
        actionButton(
          t('maintenance.action.complete'),
          async () => {
            const data = {
              expectedVersion: x.version,
              ...(corrective && failureCode.value.trim() ? { failureCode: failureCode.value.trim() } : {}),
              ...(corrective && cause.value.trim() ? { cause: cause.value.trim() } : {}),
              ...(corrective && remedy.value.trim() ? { remedy: remedy.value.trim() } : {}),
              ...(note.value.trim() ? { note: note.value.trim() } : {}),
            };
            if (await command(box, 'complete', data)) {
              for (const key of [
                'mt-complete-failure',
                'mt-complete-cause',
                'mt-complete-remedy',
                'mt-complete-note',
              ])
                drafts.delete(key);
            }
          },
          { primary: true, name: 'complete' },
        ),
      ),
    );
  }

  function verifyForm(x, box) {
    const note = h('input', { id: 'mt-verify-note', maxlength: '500' });
    const password = x.signatureRequired
      ? h('input', { id: 'mt-verify-password', type: 'password', autocomplete: 'current-password' })
      : null;
    return h(
      'form',
      {
        class: 'mt-form mt-subform',
        id: 'mt-form-verify',
        novalidate: true,
        onsubmit: (e) => e.preventDefault(),
      },
      h('h4', {}, t('maintenance.ticket.verifyTitle')),
      h(
        'p',
        { class: 'muted small' },
        t(x.signatureRequired ? 'maintenance.ticket.verifySigned' : 'maintenance.ticket.verifyHint'),
      ),
      h(
        'div',
        { class: 'mt-form-grid' },
        field('maintenance.form.note', note),
        password ? field('maintenance.form.password', password) : null,
      ),
      h(
        'div',
        { class: 'mt-actions' },
        actionButton(
          t('maintenance.action.verify'),
          async () => {
            const data = {
              expectedVersion: x.version,
              ...(note.value.trim() ? { note: note.value.trim() } : {}),
              ...(password ? { password: password.value } : {}),
            };
            if (await command(box, 'verify', data)) drafts.delete('mt-verify-note');
          },
          { primary: true, name: 'verify' },
        ),
      ),
    );
  }

  function reasonForm(x, box, name) {
    const reason = h('input', { id: `mt-${name}-reason`, maxlength: '500', required: true });
    return h(
      'form',
      {
        class: 'mt-form mt-subform',
        id: `mt-form-${name}`,
        novalidate: true,
        onsubmit: (e) => e.preventDefault(),
      },
      h('h4', {}, t(`maintenance.ticket.${name}Title`)),
      h(
        'div',
        { class: 'mt-inline-form' },
        field('maintenance.form.reason', reason),
        actionButton(
          t(`maintenance.action.${name}`),
          async () => {
            if (await command(box, name, { reason: reason.value, expectedVersion: x.version })) {
              drafts.delete(`mt-${name}-reason`);
            }
          },
          { name, danger: name === 'cancel' },
        ),
      ),
    );
  }

  // ------------------------------------------------------------ checklist

  function checklist(x) {
    if (x.checklist.length === 0) return null;
    const editable = can.work && ACTIVE.includes(x.status);
    const box = problemBox('mt-checklist-problem');
    const done = x.checklist.filter((c) => c.done).length;
    return h(
      'section',
      { class: 'card', id: 'mt-checklist', 'aria-labelledby': 'mt-checklist-title' },
      h(
        'h3',
        { id: 'mt-checklist-title' },
        t('maintenance.ticket.checklist'),
        h('span', { class: 'badge' }, `${formatNumber(done)} / ${formatNumber(x.checklist.length)}`),
      ),
      box,
      h(
        'ol',
        { class: 'mt-checklist' },
        x.checklist.map((item, index) => {
          const text = locale() === 'zh-CN' ? item.textZh || item.text : item.text;
          const checkbox = h('input', {
            type: 'checkbox',
            id: `mt-check-${index}`,
            checked: item.done,
            disabled: !editable,
          });
          const note = h('input', {
            id: `mt-check-note-${index}`,
            maxlength: '500',
            value: item.note ?? '',
            placeholder: t('maintenance.form.findingHint'),
            disabled: !editable,
            'aria-label': t('maintenance.form.finding', { item: index + 1 }),
          });
          checkbox.addEventListener('change', async () => {
            checkbox.disabled = true;
            const ok = await command(box, 'checklist', {
              index,
              done: checkbox.checked,
              ...(note.value.trim() ? { note: note.value.trim() } : {}),
            });
            if (ok) drafts.delete(`mt-check-note-${index}`);
            else checkbox.checked = !checkbox.checked;
            checkbox.disabled = false;
          });
          return h(
            'li',
            { class: item.done ? 'done' : '', dataset: { item: String(index) } },
            h('label', { class: 'mt-check' }, checkbox, h('span', {}, text)),
            editable ? note : item.note ? h('span', { class: 'muted small' }, item.note) : null,
            item.by
              ? h('span', { class: 'muted small' }, `${item.by} · ${formatDateTime(item.at, site.timeZone)}`)
              : null,
          );
        }),
      ),
    );
  }

  // ------------------------------------------------------------ labour

  function labour(x) {
    const box = problemBox('mt-labour-problem');
    const canBook = can.work && x.status !== 'verified' && x.status !== 'cancelled';
    const now = Date.now();
    const rows = x.labour.map((l) =>
      h(
        'tr',
        { dataset: { labour: l.id } },
        h('th', { scope: 'row' }, l.technicianName),
        h('td', {}, time(l.startedAt, site)),
        h(
          'td',
          {},
          l.endedAt
            ? time(l.endedAt, site)
            : h('span', { class: 'badge mt-running' }, t('maintenance.ticket.running')),
        ),
        h(
          'td',
          { class: 'num' },
          formatDuration((l.endedAt ? Date.parse(l.endedAt) : now) - Date.parse(l.startedAt)),
        ),
        h('td', {}, l.note ?? ''),
      ),
    );
    let form = null;
    if (canBook) {
      const end = isoToZoned(new Date().toISOString(), site.timeZone);
      const start = isoToZoned(new Date(Date.now() - 3_600_000).toISOString(), site.timeZone);
      const from = h('input', { type: 'datetime-local', id: 'mt-labour-from', value: start });
      const to = h('input', { type: 'datetime-local', id: 'mt-labour-to', value: end });
      const note = h('input', { id: 'mt-labour-note', maxlength: '500' });
      form = h(
        'form',
        {
          class: 'mt-form mt-subform',
          id: 'mt-form-labour',
          novalidate: true,
          onsubmit: (e) => e.preventDefault(),
        },
        h('h4', {}, t('maintenance.ticket.bookLabour')),
        h(
          'div',
          { class: 'mt-form-grid' },
          field('maintenance.form.from', from),
          field('maintenance.form.to', to),
          field('maintenance.form.workNote', note),
        ),
        h('p', { class: 'muted small' }, t('maintenance.form.siteTime', { zone: site.timeZone })),
        h(
          'div',
          { class: 'mt-actions' },
          actionButton(
            t('maintenance.action.bookLabour'),
            async () => {
              const data = {
                startedAt: zonedToIso(from.value, site.timeZone),
                endedAt: zonedToIso(to.value, site.timeZone),
                ...(note.value.trim() ? { note: note.value.trim() } : {}),
              };
              if (await command(box, 'labour', data, { key: true })) {
                for (const key of ['mt-labour-from', 'mt-labour-to', 'mt-labour-note']) drafts.delete(key);
              }
            },
            { name: 'bookLabour' },
          ),
        ),
      );
    }
    return h(
      'section',
      { class: 'card', id: 'mt-labour', 'aria-labelledby': 'mt-labour-title' },
      h('h3', { id: 'mt-labour-title' }, t('maintenance.ticket.labour')),
      box,
      x.labourMinutes.length > 0
        ? h(
            'p',
            { class: 'chips' },
            x.labourMinutes.map((m) =>
              h(
                'span',
                { class: 'badge', dataset: { technician: m.technicianName } },
                `${m.technicianName} ${formatMinutes(m.minutes)}`,
              ),
            ),
          )
        : null,
      rows.length === 0
        ? h('p', { class: 'muted' }, t('maintenance.ticket.noLabour'))
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
                  ['technician', 'from', 'to', 'duration', 'note'].map((c) =>
                    h('th', { scope: 'col' }, t(`maintenance.col.${c}`)),
                  ),
                ),
              ),
              h('tbody', {}, rows),
            ),
          ),
      form,
    );
  }

  // ------------------------------------------------------------ parts

  function parts(x) {
    const box = problemBox('mt-parts-problem');
    const active = x.status !== 'verified' && x.status !== 'cancelled';
    const canReserve = can.work && ACTIVE.includes(x.status);
    const canIssue = can.issue && active;
    let form = null;
    if (canReserve || canIssue) {
      const material = h(
        'select',
        { id: 'mt-part-material' },
        h('option', { value: '' }, t('maintenance.form.pickPart')),
        (state.materials ?? []).map((m) => h('option', { value: m.code }, `${m.code} · ${m.name}`)),
      );
      const lot = h(
        'select',
        { id: 'mt-part-lot' },
        h('option', { value: '' }, t('maintenance.form.lotAuto')),
        state.lots.map((l) =>
          h(
            'option',
            { value: l.code },
            t('maintenance.form.lotOption', { lot: l.code, quantity: formatNumber(l.quantity) }),
          ),
        ),
      );
      const quantity = h('input', { id: 'mt-part-qty', inputmode: 'decimal', value: '1', size: '6' });
      material.addEventListener('change', () => void loadLots(material.value));
      form = h(
        'form',
        {
          class: 'mt-form mt-subform',
          id: 'mt-form-parts',
          novalidate: true,
          onsubmit: (e) => e.preventDefault(),
        },
        h('h4', {}, t('maintenance.ticket.addPart')),
        h(
          'div',
          { class: 'mt-form-grid' },
          field('maintenance.form.part', material),
          field('maintenance.form.lot', lot),
          field('maintenance.form.quantity', quantity),
        ),
        h(
          'div',
          { class: 'mt-actions' },
          canIssue
            ? actionButton(
                t('maintenance.action.issuePart'),
                async () => {
                  const data = {
                    material: material.value,
                    quantity: quantity.value.trim(),
                    ...(lot.value ? { lot: lot.value } : {}),
                  };
                  if (await command(box, 'parts/issue', data, { key: true })) {
                    drafts.delete('mt-part-qty');
                    void loadLots(material.value);
                  }
                },
                { primary: true, name: 'issuePart' },
              )
            : null,
          canReserve
            ? actionButton(
                t('maintenance.action.reservePart'),
                async () => {
                  await command(box, 'parts', { material: material.value, quantity: quantity.value.trim() });
                },
                { name: 'reservePart' },
              )
            : null,
        ),
        h('p', { class: 'muted small' }, t('maintenance.ticket.partsHint')),
      );
      if (state.materials === null) void loadMaterials();
    }
    return h(
      'section',
      { class: 'card', id: 'mt-parts', 'aria-labelledby': 'mt-parts-title' },
      h('h3', { id: 'mt-parts-title' }, t('maintenance.ticket.parts')),
      box,
      x.parts.length === 0
        ? h('p', { class: 'muted' }, t('maintenance.ticket.noParts'))
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
                  ['part', 'required', 'issued', 'reserved'].map((c) =>
                    h('th', { scope: 'col' }, t(`maintenance.col.${c}`)),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                x.parts.map((p) =>
                  h(
                    'tr',
                    { dataset: { part: p.materialCode } },
                    h(
                      'th',
                      { scope: 'row' },
                      p.materialCode,
                      h('span', { class: 'muted small row-line' }, p.materialName),
                    ),
                    h('td', { class: 'num', dataset: { field: 'required' } }, formatNumber(p.requiredQty)),
                    h('td', { class: 'num', dataset: { field: 'issued' } }, formatNumber(p.issuedQty)),
                    h('td', { class: 'num', dataset: { field: 'reserved' } }, formatNumber(p.reservedQty)),
                  ),
                ),
              ),
            ),
          ),
      form,
    );
  }

  async function loadMaterials() {
    state.materials = [];
    try {
      const spare = await api(`/sites/${site.id}/materials`, {
        query: { materialClass: 'spare_part', active: 'true', limit: 500 },
      });
      let items = spare.items;
      if (items.length === 0) {
        items = (await api(`/sites/${site.id}/materials`, { query: { active: 'true', limit: 500 } })).items;
      }
      state.materials = items;
    } catch (error) {
      showProblem(body.querySelector('#mt-parts-problem'), error);
      return;
    }
    if (!alive) return;
    const select = body.querySelector('#mt-part-material');
    if (!select) return;
    const chosen = drafts.get('mt-part-material') ?? select.value;
    fill(
      select,
      h('option', { value: '' }, t('maintenance.form.pickPart')),
      ...state.materials.map((m) =>
        h('option', { value: m.code, selected: m.code === chosen }, `${m.code} · ${m.name}`),
      ),
    );
  }

  async function loadLots(code) {
    const material = (state.materials ?? []).find((m) => m.code === code);
    state.lots = [];
    if (material) {
      try {
        const lots = await api(`/sites/${site.id}/lots`, {
          query: { materialId: material.id, status: 'available', limit: 100 },
        });
        state.lots = lots.items.filter((l) => Number(l.quantity) > 0);
      } catch (error) {
        showProblem(body.querySelector('#mt-parts-problem'), error);
      }
    }
    if (!alive) return;
    const select = body.querySelector('#mt-part-lot');
    if (!select) return;
    fill(
      select,
      h('option', { value: '' }, t('maintenance.form.lotAuto')),
      ...state.lots.map((l) =>
        h(
          'option',
          { value: l.code },
          t('maintenance.form.lotOption', { lot: l.code, quantity: formatNumber(l.quantity) }),
        ),
      ),
    );
  }

  // ------------------------------------------------------------ downtime, attachments, signatures

  function downtime(x) {
    if (!x.breakdown) return null;
    const end = x.doneAt ?? (x.status === 'cancelled' ? x.updatedAt : null);
    const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(x.createdAt);
    const box = problemBox('mt-downtime-problem');
    let form = null;
    if (can.edit && ACTIVE.includes(x.status)) {
      const back = h('input', {
        type: 'datetime-local',
        id: 'mt-expected-back',
        value: isoToZoned(x.expectedBackAt, site.timeZone),
      });
      form = h(
        'div',
        { class: 'mt-inline-form' },
        field('maintenance.form.expectedBack', back),
        actionButton(
          t('maintenance.action.save'),
          async () => {
            clearProblem(box);
            try {
              await patch({
                expectedBackAt: zonedToIso(back.value, site.timeZone),
                expectedVersion: x.version,
              });
              drafts.delete('mt-expected-back');
            } catch (error) {
              showProblem(box, error);
            }
          },
          { name: 'expectedBack' },
        ),
      );
    }
    const overdue = !end && x.expectedBackAt && Date.parse(x.expectedBackAt) < Date.now();
    return h(
      'section',
      {
        class: `card mt-downtime ${end ? '' : 'alert'}`.trim(),
        id: 'mt-downtime',
        'aria-labelledby': 'mt-downtime-title',
      },
      h('h3', { id: 'mt-downtime-title' }, t('maintenance.ticket.downtime')),
      h(
        'dl',
        { class: 'mt-facts' },
        h('div', {}, h('dt', {}, t('maintenance.ticket.downSince')), h('dd', {}, time(x.createdAt, site))),
        h(
          'div',
          {},
          h('dt', {}, t(end ? 'maintenance.ticket.backAt' : 'maintenance.ticket.downFor')),
          h('dd', { dataset: { fact: 'downtime' } }, end ? time(end, site) : formatDuration(ms)),
        ),
        end
          ? h('div', {}, h('dt', {}, t('maintenance.ticket.downtimeTotal')), h('dd', {}, formatDuration(ms)))
          : null,
        x.expectedBackAt
          ? h(
              'div',
              {},
              h('dt', {}, t('maintenance.ticket.expectedBack')),
              h('dd', { class: overdue ? 'mt-late' : '' }, time(x.expectedBackAt, site)),
            )
          : null,
      ),
      box,
      form,
    );
  }

  function attachments(x) {
    const box = problemBox('mt-attach-problem');
    let form = null;
    if (can.raise && x.status !== 'cancelled') {
      const title = h('input', { id: 'mt-attach-title', maxlength: '200' });
      const url = h('input', {
        id: 'mt-attach-url',
        type: 'url',
        maxlength: '2000',
        placeholder: 'https://',
      });
      form = h(
        'form',
        {
          class: 'mt-form mt-subform',
          id: 'mt-form-attach',
          novalidate: true,
          onsubmit: (e) => e.preventDefault(),
        },
        field('maintenance.form.attachTitle', title),
        field('maintenance.form.attachUrl', url),
        actionButton(
          t('maintenance.action.attach'),
          async () => {
            if (await command(box, 'attachments', { title: title.value, url: url.value.trim() })) {
              drafts.delete('mt-attach-title');
              drafts.delete('mt-attach-url');
            }
          },
          { name: 'attach' },
        ),
      );
    }
    if (x.attachments.length === 0 && !form) return null;
    return h(
      'section',
      { class: 'card', id: 'mt-attachments', 'aria-labelledby': 'mt-attach-heading' },
      h('h3', { id: 'mt-attach-heading' }, t('maintenance.ticket.attachments')),
      box,
      x.attachments.length > 0
        ? h(
            'ul',
            { class: 'mt-mini' },
            x.attachments.map((a) =>
              h(
                'li',
                {},
                h('a', { href: a.url, target: '_blank', rel: 'noopener noreferrer' }, a.title),
                h(
                  'span',
                  { class: 'muted small' },
                  ` · ${a.addedBy} · ${formatDateTime(a.addedAt, site.timeZone)}`,
                ),
              ),
            ),
          )
        : null,
      form,
    );
  }

  function signatures(x) {
    if (!x.signatures || x.signatures.length === 0) return null;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'mt-signatures-title' },
      h('h3', { id: 'mt-signatures-title' }, t('maintenance.ticket.signatures')),
      h(
        'ul',
        { class: 'mt-mini' },
        x.signatures.map((s) =>
          h(
            'li',
            { class: s.valid ? '' : 'mt-late' },
            `${s.signerName} · ${s.meaning} · `,
            time(s.signedAt, site),
            s.valid ? null : h('span', { class: 'badge danger' }, t('maintenance.ticket.signatureInvalid')),
          ),
        ),
      ),
    );
  }

  // ------------------------------------------------------------ live

  if (ctx.live) {
    removers.push(
      ctx.live.on('ticket.changed', (pushed) => {
        if (!state.ticket || pushed?.ticketId === state.ticket.id) void load();
      }),
      ctx.live.on('resync', () => void load()),
    );
  }
  const periodic = setInterval(() => {
    if (state.ticket && ACTIVE.includes(state.ticket.status)) paint();
  }, 60_000);

  whoAmI(ctx.session)
    .then((me) => {
      state.me = me;
      if (alive && state.ticket) paint();
    })
    .catch((error) => {
      if (alive) showProblem(problem, error);
    });
  if (can.work) void loadTechnicians();
  void load();

  return {
    unmount() {
      alive = false;
      clearInterval(periodic);
      for (const remove of removers) remove();
    },
    relabel() {
      paint();
    },
  };
}
