// The ticket board (维修看板): tickets in columns by state, moved with buttons or by dragging where the
// state machine allows it; the lead's overview (machines down, overdue PM, calls, technicians) above.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t } from '../../i18n.js';
import {
  actionButton,
  ACTIVE,
  assetHref,
  clearProblem,
  coalesce,
  field,
  formatDuration,
  formatMinutes,
  kindBadge,
  KINDS,
  link,
  newKey,
  priorityBadge,
  PRIORITIES,
  problemBox,
  showProblem,
  statusLabel,
  technicians,
  technicianSelect,
  ticketHref,
  whoAmI,
  zonedToIso,
  fill,
  add,
} from './common.js';

/** The board's columns; the last one holds the tickets closed in the last days. */
const COLUMNS = ['open', 'assigned', 'in_progress', 'done', 'closed'];
const CLOSED = ['verified', 'cancelled'];
const RECENT_DAYS = 7;
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** How long a ticket may wait for a technician before its card is marked late, by priority. */
const RESPONSE_HOURS = { urgent: 1, high: 4, normal: 24, low: 72 };
const REFRESH_EVERY_MS = 60_000;
const PAGE = 500;

/**
 * Where a card may be dropped: the command it becomes. Commands needing more than a click (a reason, the
 * closure of a breakdown, a signature) open the ticket with the form instead.
 */
const DROPS = {
  open: { assigned: 'assignMe', in_progress: 'start' },
  assigned: { in_progress: 'start', open: null },
  in_progress: { done: 'complete' },
  done: { closed: 'verify', in_progress: 'reopen' },
};

export function mountBoard(container, ctx) {
  const { site, can } = ctx;
  const state = {
    tickets: [],
    closed: [],
    board: null,
    assets: [],
    error: null,
    me: null,
    filter: { text: '', kind: '', priority: '', mine: false },
    flash: new Set(),
    dragging: null,
    loaded: false,
    technicians: null,
    /** The card whose "assign to" is open and what was chosen in it (kept over live repaints). */
    assignOpen: null,
    assignChoice: new Map(),
  };
  const removers = [];
  let alive = true;

  const problem = problemBox('mt-board-problem');
  const overview = h('section', {
    class: 'mt-overview',
    id: 'mt-overview',
    'aria-labelledby': 'mt-ov-title',
  });
  const toolbar = h('div', { class: 'mt-toolbar', id: 'mt-toolbar' });
  const createPanel = h('section', { class: 'panel mt-create', id: 'mt-create', hidden: true });
  const columns = h('div', { class: 'mt-board', id: 'mt-board', 'aria-busy': 'true' });
  const liveNote = h('p', { class: 'visually-hidden', role: 'status', id: 'mt-board-live' });
  fill(container, problem, overview, toolbar, createPanel, columns, liveNote);

  /** Loads overlap (a push, the clock, a command's answer): only the latest one paints. */
  let loadSeq = 0;

  async function load() {
    const seq = ++loadSeq;
    try {
      if (can.work) {
        technicians(site.id)
          .then((list) => {
            const first = state.technicians === null;
            state.technicians = list;
            if (alive && first && state.loaded) paintColumns();
          })
          .catch((error) => {
            if (alive) showProblem(problem, error);
          });
      }
      const [active, closed, board] = await Promise.all([
        api(`/sites/${site.id}/maintenance/tickets`, {
          query: { status: [...ACTIVE, 'done'].join(','), limit: PAGE },
        }),
        api(`/sites/${site.id}/maintenance/tickets`, { query: { status: CLOSED.join(','), limit: 50 } }),
        api(`/sites/${site.id}/maintenance/board`),
      ]);
      if (seq !== loadSeq) return;
      const before = new Map(state.tickets.map((x) => [x.id, x.version]));
      if (state.loaded) {
        for (const ticket of active.items) {
          if (before.get(ticket.id) !== ticket.version) state.flash.add(ticket.id);
        }
      }
      state.tickets = active.items;
      const since = Date.now() - RECENT_DAYS * DAY;
      state.closed = closed.items.filter((x) => Date.parse(x.updatedAt) >= since);
      state.board = board;
      state.error = null;
      state.loaded = true;
    } catch (error) {
      if (seq !== loadSeq) return;
      state.error = error;
    }
    if (!alive) return;
    // A card being dragged stays where it is until it is dropped: the board is painted after the drag.
    if (state.dragging) state.paintAfterDrag = true;
    else paint();
  }

  const refresh = coalesce(() => void load());

  function paint() {
    if (state.error) showProblem(problem, state.error);
    else clearProblem(problem);
    paintOverview();
    paintColumns();
  }

  // ------------------------------------------------------------ overview (the lead's view)

  function paintOverview() {
    const b = state.board;
    fill(overview, h('h2', { id: 'mt-ov-title', class: 'visually-hidden' }, t('maintenance.overview')));
    if (!b) return;
    const tile = (name, value, alert, children) =>
      h(
        'div',
        { class: `mt-tile ${alert ? 'alert' : ''}`.trim(), dataset: { tile: name } },
        h('p', { class: 'mt-tile-label' }, t(`maintenance.tile.${name}`)),
        h('p', { class: 'mt-tile-value num', dataset: { figure: name } }, value),
        children,
      );
    const active = ACTIVE.reduce((sum, s) => sum + (b.byStatus[s] ?? 0), 0);
    add(
      overview,
      h(
        'div',
        { class: 'mt-tiles' },
        tile('active', formatNumber(active), false),
        tile(
          'machinesDown',
          formatNumber(b.machinesDown.length),
          b.machinesDown.length > 0,
          b.machinesDown.length > 0
            ? h(
                'ul',
                { class: 'mt-mini' },
                b.machinesDown.map((d) =>
                  h(
                    'li',
                    { dataset: { down: d.equipmentCode } },
                    link(ticketHref(d.ticketCode), d.equipmentCode),
                    ' ',
                    h(
                      'span',
                      { class: 'muted small' },
                      t('maintenance.downFor', { time: formatDuration(Date.now() - Date.parse(d.since)) }),
                    ),
                  ),
                ),
              )
            : null,
        ),
        tile(
          'overduePm',
          formatNumber(b.overduePm.length),
          b.overduePm.length > 0,
          b.overduePm.length > 0
            ? h(
                'ul',
                { class: 'mt-mini' },
                b.overduePm
                  .slice(0, 4)
                  .map((o) =>
                    h(
                      'li',
                      {},
                      o.ticketCode ? link(ticketHref(o.ticketCode), o.planCode) : h('span', {}, o.planCode),
                      ' ',
                      h(
                        'span',
                        { class: 'muted small' },
                        `${o.equipmentCode} · ${formatDateTime(o.dueAt, site.timeZone)}`,
                      ),
                    ),
                  ),
              )
            : null,
        ),
        tile(
          'openCalls',
          formatNumber(b.openCalls.length),
          b.openCalls.length > 0,
          b.openCalls.length > 0
            ? h(
                'ul',
                { class: 'mt-mini' },
                b.openCalls.map((c) =>
                  h(
                    'li',
                    {},
                    h('strong', {}, c.workCenterCode),
                    ' ',
                    h(
                      'span',
                      { class: 'muted small' },
                      c.message ?? formatDateTime(c.raisedAt, site.timeZone),
                    ),
                  ),
                ),
              )
            : null,
        ),
        tile(
          'windows',
          formatNumber(b.upcomingWindows.length),
          false,
          b.upcomingWindows.length > 0
            ? h(
                'ul',
                { class: 'mt-mini' },
                b.upcomingWindows
                  .slice(0, 4)
                  .map((w) =>
                    h(
                      'li',
                      {},
                      link(ticketHref(w.ticketCode), w.ticketCode),
                      ' ',
                      h(
                        'span',
                        { class: 'muted small' },
                        `${w.equipmentCode} · ${formatDateTime(w.windowStart, site.timeZone)}`,
                      ),
                    ),
                  ),
              )
            : null,
        ),
      ),
      b.byTechnician.length > 0
        ? h(
            'details',
            { class: 'mt-techs' },
            h('summary', {}, t('maintenance.technicians')),
            h(
              'table',
              { class: 'table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, t('maintenance.col.technician')),
                  ...['open', 'assigned', 'in_progress'].map((s) =>
                    h('th', { scope: 'col' }, statusLabel(s)),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                b.byTechnician.map((x) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, x.technicianName ?? t('maintenance.unassigned')),
                    h('td', { class: 'num' }, formatNumber(x.open)),
                    h('td', { class: 'num' }, formatNumber(x.assigned)),
                    h('td', { class: 'num' }, formatNumber(x.inProgress)),
                  ),
                ),
              ),
            ),
          )
        : null,
    );
  }

  // ------------------------------------------------------------ toolbar and filters

  function paintToolbar() {
    const f = state.filter;
    const search = h('input', {
      type: 'search',
      id: 'mt-filter-text',
      value: f.text,
      placeholder: t('maintenance.filter.searchHint'),
    });
    search.addEventListener('input', () => {
      f.text = search.value.trim().toLowerCase();
      paintColumns();
    });
    const kind = h(
      'select',
      { id: 'mt-filter-kind' },
      h('option', { value: '' }, t('maintenance.filter.allKinds')),
      KINDS.map((k) => h('option', { value: k, selected: f.kind === k }, t(`maintenance.kind.${k}`))),
    );
    kind.addEventListener('change', () => {
      f.kind = kind.value;
      paintColumns();
    });
    const priority = h(
      'select',
      { id: 'mt-filter-priority' },
      h('option', { value: '' }, t('maintenance.filter.allPriorities')),
      PRIORITIES.map((p) =>
        h('option', { value: p, selected: f.priority === p }, t(`maintenance.priority.${p}`)),
      ),
    );
    priority.addEventListener('change', () => {
      f.priority = priority.value;
      paintColumns();
    });
    const mine = h('input', { type: 'checkbox', id: 'mt-filter-mine', checked: f.mine });
    mine.addEventListener('change', () => {
      f.mine = mine.checked;
      paintColumns();
    });
    fill(
      toolbar,
      h(
        'div',
        { class: 'mt-filters' },
        field('maintenance.filter.search', search),
        field('maintenance.filter.kind', kind),
        field('maintenance.filter.priority', priority),
        can.work
          ? h('label', { class: 'mt-check' }, mine, h('span', {}, t('maintenance.filter.mine')))
          : null,
      ),
      can.raise
        ? h(
            'button',
            {
              type: 'button',
              class: 'button primary',
              id: 'mt-new-ticket',
              'aria-expanded': String(!createPanel.hidden),
              'aria-controls': 'mt-create',
              onclick: () => toggleCreate(),
            },
            t('maintenance.newTicket'),
          )
        : null,
    );
  }

  // ------------------------------------------------------------ new ticket (a breakdown by default)

  function toggleCreate(open = createPanel.hidden) {
    createPanel.hidden = !open;
    toolbar.querySelector('#mt-new-ticket')?.setAttribute('aria-expanded', String(open));
    if (open) {
      paintCreate();
      void loadAssets();
      createPanel.querySelector('#mt-new-title')?.focus();
    }
  }

  async function loadAssets() {
    try {
      const [assets, equipment] = await Promise.all([
        api(`/sites/${site.id}/maintenance/assets`),
        api(`/sites/${site.id}/equipment`, { query: { limit: 200 } }).catch(() => ({ items: [] })),
      ]);
      const codes = new Set(assets.map((a) => a.code));
      state.assets = [
        ...assets.filter((a) => a.active !== false).map((a) => ({ code: a.code, name: a.name })),
        ...(equipment.items ?? [])
          .filter((e) => !codes.has(e.code) && !assets.some((a) => a.equipmentId === e.id))
          .map((e) => ({ code: e.code, name: e.name })),
      ].sort((a, b) => a.code.localeCompare(b.code));
    } catch (error) {
      showProblem(createPanel.querySelector('#mt-create-problem'), error);
    }
    if (!alive || createPanel.hidden) return;
    const select = createPanel.querySelector('#mt-new-asset');
    const chosen = select.value;
    fill(
      select,
      h('option', { value: '' }, t('maintenance.form.pickAsset')),
      ...state.assets.map((a) =>
        h('option', { value: a.code, selected: a.code === chosen }, `${a.code} · ${a.name}`),
      ),
    );
  }

  function paintCreate() {
    const kind = h(
      'select',
      { id: 'mt-new-kind', name: 'kind' },
      KINDS.map((k) => h('option', { value: k }, t(`maintenance.kind.${k}`))),
    );
    const asset = h(
      'select',
      { id: 'mt-new-asset', name: 'asset', required: true },
      h('option', { value: '' }, t('maintenance.form.pickAsset')),
      state.assets.map((a) => h('option', { value: a.code }, `${a.code} · ${a.name}`)),
    );
    const title = h('input', { id: 'mt-new-title', name: 'title', maxlength: '200', required: true });
    const description = h('textarea', {
      id: 'mt-new-description',
      name: 'description',
      rows: '2',
      maxlength: '4000',
    });
    const priority = h(
      'select',
      { id: 'mt-new-priority', name: 'priority' },
      h('option', { value: '' }, t('maintenance.form.priorityDefault')),
      PRIORITIES.map((p) => h('option', { value: p }, t(`maintenance.priority.${p}`))),
    );
    const down = h('input', { type: 'checkbox', id: 'mt-new-down', name: 'machineDown', checked: true });
    const back = h('input', { type: 'datetime-local', id: 'mt-new-back', name: 'expectedBackAt' });
    kind.addEventListener('change', () => {
      down.disabled = kind.value !== 'corrective';
      if (down.disabled) down.checked = false;
    });
    const formProblem = problemBox('mt-create-problem');
    const form = h(
      'form',
      { class: 'mt-form', id: 'mt-create-form', novalidate: true },
      h('h2', {}, t('maintenance.newTicketTitle')),
      formProblem,
      h(
        'div',
        { class: 'mt-form-grid' },
        field('maintenance.form.kind', kind),
        field('maintenance.form.asset', asset),
        field('maintenance.form.priority', priority),
        field('maintenance.form.title', title),
        field('maintenance.form.description', description),
        h('label', { class: 'mt-check' }, down, h('span', {}, t('maintenance.form.machineDown'))),
        field('maintenance.form.expectedBack', back, t('maintenance.form.siteTime', { zone: site.timeZone })),
      ),
      h(
        'div',
        { class: 'mt-actions' },
        h(
          'button',
          { type: 'submit', class: 'button primary', id: 'mt-create-submit' },
          t('maintenance.form.create'),
        ),
        h(
          'button',
          { type: 'button', class: 'button', onclick: () => toggleCreate(false) },
          t('maintenance.form.close'),
        ),
      ),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const submit = form.querySelector('#mt-create-submit');
      submit.disabled = true;
      clearProblem(formProblem);
      const body = {
        kind: kind.value,
        asset: asset.value,
        title: title.value,
        ...(description.value.trim() ? { description: description.value } : {}),
        ...(priority.value ? { priority: priority.value } : {}),
        ...(kind.value === 'corrective' ? { machineDown: down.checked } : {}),
        ...(back.value && down.checked ? { expectedBackAt: zonedToIso(back.value, site.timeZone) } : {}),
      };
      try {
        const created = await api(`/sites/${site.id}/maintenance/tickets`, {
          method: 'POST',
          body,
          idempotencyKey: newKey(),
        });
        form.reset();
        toggleCreate(false);
        state.flash.add(created.id);
        announce(t('maintenance.created', { code: created.code }));
        await load();
      } catch (error) {
        showProblem(formProblem, error);
      } finally {
        submit.disabled = false;
      }
    });
    fill(createPanel, form);
  }

  // ------------------------------------------------------------ columns and cards

  function visible(ticket) {
    const f = state.filter;
    if (f.kind && ticket.kind !== f.kind) return false;
    if (f.priority && ticket.priority !== f.priority) return false;
    if (f.mine && state.me && ticket.assigneeId !== state.me.id) return false;
    if (f.text) {
      const hay = `${ticket.code} ${ticket.title} ${ticket.assetCode} ${ticket.equipmentCode} ${ticket.assigneeName ?? ''}`;
      if (!hay.toLowerCase().includes(f.text)) return false;
    }
    return true;
  }

  function columnOf(ticket) {
    return CLOSED.includes(ticket.status) ? 'closed' : ticket.status;
  }

  function paintColumns() {
    if (!state.loaded) return;
    columns.setAttribute('aria-busy', 'false');
    const all = [...state.tickets, ...state.closed].filter(visible);
    const rank = (p) => PRIORITIES.indexOf(p);
    fill(
      columns,
      ...COLUMNS.map((column) => {
        const inColumn = all
          .filter((x) => columnOf(x) === column)
          .sort(
            (a, b) =>
              rank(a.priority) - rank(b.priority) || Date.parse(a.createdAt) - Date.parse(b.createdAt),
          );
        const list = h(
          'ol',
          { class: 'mt-cards', 'aria-labelledby': `mt-col-${column}-title` },
          inColumn.map((x) => h('li', {}, card(x))),
        );
        const section = h(
          'section',
          { class: 'mt-column', id: `mt-col-${column}`, dataset: { column } },
          h(
            'h2',
            { class: 'mt-column-title', id: `mt-col-${column}-title` },
            h('span', {}, t(`maintenance.column.${column}`)),
            h('span', { class: 'badge', dataset: { count: column } }, formatNumber(inColumn.length)),
          ),
          inColumn.length === 0
            ? h('p', { class: 'muted small mt-empty' }, t('maintenance.column.empty'))
            : null,
          list,
        );
        if (can.work || can.verify) dropTarget(section, column);
        return section;
      }),
    );
    state.flash.clear();
  }

  function card(ticket) {
    const now = Date.now();
    const age = now - Date.parse(ticket.createdAt);
    const waiting = ticket.status === 'open' || ticket.status === 'assigned';
    const late = waiting && age > (RESPONSE_HOURS[ticket.priority] ?? 24) * HOUR;
    const due = ticket.breakdown ? ticket.expectedBackAt : (ticket.dueAt ?? ticket.windowEnd);
    const overdue = ACTIVE.includes(ticket.status) && due && Date.parse(due) < now;
    const minutes = ticket.labourMinutes.reduce((sum, x) => sum + x.minutes, 0);
    const movable =
      (can.work && ticket.status !== 'done' && DROPS[ticket.status]) ||
      (ticket.status === 'done' && can.verify);
    const element = h(
      'article',
      {
        class: [
          'mt-card',
          `mt-prio-edge-${ticket.priority}`,
          ticket.breakdown && ACTIVE.includes(ticket.status) ? 'mt-breakdown' : '',
          state.flash.has(ticket.id) ? 'mt-flash' : '',
        ]
          .filter(Boolean)
          .join(' '),
        dataset: { ticket: ticket.code, status: ticket.status },
        draggable: movable ? 'true' : undefined,
        'aria-labelledby': `mt-card-${ticket.id}`,
      },
      h(
        'header',
        { class: 'mt-card-head' },
        h(
          'a',
          { href: ticketHref(ticket.code), 'data-link': true, id: `mt-card-${ticket.id}`, class: 'mt-code' },
          ticket.code,
        ),
        priorityBadge(ticket.priority),
        kindBadge(ticket.kind),
        ticket.breakdown && ACTIVE.includes(ticket.status)
          ? h('span', { class: 'badge danger', dataset: { flag: 'down' } }, t('maintenance.machineDown'))
          : null,
        CLOSED.includes(ticket.status)
          ? h('span', { class: `badge mt-status mt-status-${ticket.status}` }, statusLabel(ticket.status))
          : null,
      ),
      h('p', { class: 'mt-card-title' }, ticket.title),
      h(
        'p',
        { class: 'mt-card-meta small' },
        link(assetHref(ticket.assetCode || ticket.equipmentCode), ticket.assetCode || ticket.equipmentCode, {
          class: 'mt-asset',
        }),
        h('span', { class: 'muted' }, ` · ${ticket.assigneeName ?? t('maintenance.unassigned')}`),
      ),
      h(
        'p',
        { class: 'mt-card-meta small' },
        h(
          'span',
          { class: late ? 'mt-late' : 'muted', dataset: { field: 'age' } },
          t('maintenance.age', { time: formatDuration(age) }),
        ),
        late ? h('span', { class: 'badge warn' }, t('maintenance.responseLate')) : null,
        due && ACTIVE.includes(ticket.status)
          ? h(
              'span',
              { class: overdue ? 'badge danger' : 'muted', dataset: { field: 'due' } },
              ` ${t(overdue ? 'maintenance.overdueSince' : 'maintenance.dueAt', {
                time: formatDateTime(due, site.timeZone),
              })}`,
            )
          : null,
        minutes > 0
          ? h(
              'span',
              { class: 'muted' },
              ` · ${t('maintenance.labourTotal', { time: formatMinutes(minutes) })}`,
            )
          : null,
      ),
      cardActions(ticket),
    );
    if (movable) {
      element.addEventListener('dragstart', (event) => {
        state.dragging = ticket;
        event.dataTransfer.setData('text/plain', ticket.code);
        event.dataTransfer.effectAllowed = 'move';
        element.classList.add('mt-dragging');
        for (const [target] of Object.entries(DROPS[ticket.status] ?? {})) {
          columns.querySelector(`#mt-col-${target}`)?.classList.add('mt-drop-ok');
        }
      });
      element.addEventListener('dragend', () => {
        state.dragging = null;
        element.classList.remove('mt-dragging');
        for (const column of columns.querySelectorAll('.mt-column'))
          column.classList.remove('mt-drop-ok', 'mt-drop-over');
        if (state.paintAfterDrag) {
          state.paintAfterDrag = false;
          paint();
        }
      });
    }
    return element;
  }

  function dropTarget(section, column) {
    section.addEventListener('dragover', (event) => {
      const ticket = state.dragging;
      if (!ticket || !(column in (DROPS[ticket.status] ?? {}))) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      section.classList.add('mt-drop-over');
    });
    section.addEventListener('dragleave', () => section.classList.remove('mt-drop-over'));
    section.addEventListener('drop', (event) => {
      const ticket = state.dragging;
      section.classList.remove('mt-drop-over');
      if (!ticket) return;
      const command = DROPS[ticket.status]?.[column];
      if (command === undefined) return;
      event.preventDefault();
      if (command === null) return;
      void run(ticket, command);
    });
  }

  function cardActions(ticket) {
    const buttons = [];
    const mineAlready = state.me && ticket.assigneeId === state.me.id;
    if (can.work) {
      if (ticket.allowedCommands.includes('assign') && !mineAlready && ticket.status !== 'in_progress') {
        buttons.push(button(ticket, 'assignMe', t('maintenance.action.assignMe')));
      }
      if (ticket.allowedCommands.includes('start')) {
        buttons.push(button(ticket, 'start', t('maintenance.action.start'), true));
      }
      if (ticket.allowedCommands.includes('complete')) {
        buttons.push(button(ticket, 'complete', t('maintenance.action.complete'), true));
      }
    }
    if (can.work && ticket.allowedCommands.includes('assign') && state.technicians?.length > 0) {
      buttons.push(assignTo(ticket));
    }
    if (can.verify && ticket.allowedCommands.includes('verify')) {
      buttons.push(button(ticket, 'verify', t('maintenance.action.verify'), true));
    }
    if (buttons.length === 0) return null;
    return h('div', { class: 'mt-card-actions' }, buttons);
  }

  /** "Assign to…": a technician picked from the site's list (with the work each holds). */
  function assignTo(ticket) {
    const select = technicianSelect(state.technicians, {
      id: `mt-assign-${ticket.code}`,
      selected: state.assignChoice.get(ticket.code),
    });
    select.setAttribute('aria-label', t('maintenance.assign.to'));
    select.addEventListener('change', () => state.assignChoice.set(ticket.code, select.value));
    const details = h(
      'details',
      { class: 'mt-card-assign', open: state.assignOpen === ticket.code },
      h('summary', { dataset: { assign: ticket.code } }, t('maintenance.assign.to')),
      h(
        'div',
        { class: 'mt-inline-form' },
        select,
        actionButton(
          t('maintenance.action.assign'),
          async () => {
            if (!select.value) {
              select.setAttribute('aria-invalid', 'true');
              select.focus();
              return;
            }
            await run(ticket, 'assignTo', select.value);
          },
          { name: 'assignTo' },
        ),
      ),
    );
    details.addEventListener('toggle', () => {
      if (details.open) state.assignOpen = ticket.code;
      else if (state.assignOpen === ticket.code) state.assignOpen = null;
    });
    return details;
  }

  function button(ticket, command, label, primary = false) {
    return actionButton(label, () => run(ticket, command), { primary, name: command });
  }

  /** A command from a card (button or drop); what needs a form opens the ticket with it. */
  async function run(ticket, command, technician) {
    clearProblem(problem);
    const path = `/sites/${site.id}/maintenance/tickets/${ticket.id}`;
    const needsForm =
      command === 'reopen' ||
      (command === 'complete' && !completesWithoutForm(ticket)) ||
      (command === 'verify' && ticket.signatureRequired);
    if (needsForm) {
      ctx.go({ view: 'ticket', id: ticket.code, action: command });
      return;
    }
    try {
      if (command === 'assignMe') {
        const me = state.me ?? (state.me = await whoAmI(ctx.session));
        await api(`${path}/assign`, {
          method: 'POST',
          body: { technician: me.id, expectedVersion: ticket.version },
        });
      } else if (command === 'assignTo') {
        await api(`${path}/assign`, {
          method: 'POST',
          body: { technician, expectedVersion: ticket.version },
        });
        state.assignOpen = null;
        state.assignChoice.delete(ticket.code);
        state.technicians = await technicians(site.id, { fresh: true }).catch(() => state.technicians);
      } else if (command === 'start') {
        await api(`${path}/start`, { method: 'POST', body: {} });
      } else if (command === 'complete') {
        await api(`${path}/complete`, { method: 'POST', body: { expectedVersion: ticket.version } });
      } else if (command === 'verify') {
        await api(`${path}/verify`, { method: 'POST', body: { expectedVersion: ticket.version } });
      }
      state.flash.add(ticket.id);
      announce(
        t('maintenance.moved', { code: ticket.code, status: statusLabel(nextStatus(ticket, command)) }),
      );
      await load();
    } catch (error) {
      showProblem(problem, error);
      problem.scrollIntoView({ block: 'nearest' });
    }
  }

  function announce(text) {
    liveNote.textContent = text;
  }

  if (ctx.live) {
    removers.push(
      ctx.live.on('ticket.changed', () => refresh()),
      ctx.live.on('resync', () => refresh()),
    );
  }
  const periodic = setInterval(() => void load(), REFRESH_EVERY_MS);

  whoAmI(ctx.session)
    .then((me) => {
      state.me = me;
      if (alive && state.loaded) paintColumns();
    })
    .catch((error) => {
      if (alive) showProblem(problem, error);
    });

  paintToolbar();
  void load();

  return {
    unmount() {
      alive = false;
      refresh.cancel();
      clearInterval(periodic);
      for (const remove of removers) remove();
    },
    relabel() {
      paintToolbar();
      if (!createPanel.hidden) paintCreate();
      paint();
    },
  };
}

/** Whether finishing needs nothing more (a breakdown needs its closure, a PM ticket its whole checklist). */
export function completesWithoutForm(ticket) {
  if (ticket.kind === 'corrective') return Boolean(ticket.failureCode && ticket.cause && ticket.remedy);
  if (ticket.kind === 'preventive') return ticket.checklist.every((c) => c.done);
  return true;
}

function nextStatus(ticket, command) {
  return (
    {
      assignMe: ticket.status === 'in_progress' ? 'in_progress' : 'assigned',
      assignTo: ticket.status === 'in_progress' ? 'in_progress' : 'assigned',
      start: 'in_progress',
      complete: 'done',
      verify: 'verified',
    }[command] ?? ticket.status
  );
}
