// The PM calendar (预防性维护日历): planned work by month or week in the site's calendar — each plan's next due
// date, its repeats projected from the plan's rule, the PM tickets made and what is overdue.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, locale, t } from '../../i18n.js';
import {
  actionButton,
  ACTIVE,
  assetHref,
  clearProblem,
  link,
  localDate,
  problemBox,
  showProblem,
  statusBadge,
  ticketHref,
  fill,
} from './common.js';

const DAY = 86_400_000;
const MODES = ['month', 'week'];

const parse = (date) => {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
};
const format = (ms) => new Date(ms).toISOString().slice(0, 10);
const addDays = (date, n) => format(parse(date) + n * DAY);
const daysInMonth = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** `date` plus `months`, on `anchorDay` or the month's last day when shorter (as the server's rule does). */
function addMonths(date, months, anchorDay) {
  const [y, m] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(anchorDay, daysInMonth(year, month));
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Monday of the week of `date`. */
function weekStart(date) {
  const weekday = (new Date(parse(date)).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

export function mountCalendar(container, ctx) {
  const { site, can, params } = ctx;
  const today = localDate(new Date().toISOString(), site.timeZone);
  const state = {
    mode: MODES.includes(params.get('mode')) ? params.get('mode') : 'month',
    anchor: /^\d{4}-\d{2}-\d{2}$/.test(params.get('date') ?? '') ? params.get('date') : today,
    plans: null,
    tickets: [],
    error: null,
  };
  const removers = [];
  let alive = true;

  const problem = problemBox('mt-calendar-problem');
  const bar = h('div', { class: 'mt-cal-bar', id: 'mt-cal-bar' });
  const grid = h('div', { class: 'mt-cal', id: 'mt-cal', 'aria-busy': 'true' });
  const legend = h('p', { class: 'mt-legend small', id: 'mt-cal-legend' });
  const plans = h('section', { class: 'card mt-plans', id: 'mt-plans', 'aria-labelledby': 'mt-plans-title' });
  fill(container, problem, bar, legend, grid, plans);

  async function load() {
    try {
      const [planList, tickets] = await Promise.all([
        api(`/sites/${site.id}/maintenance/pm-plans`),
        api(`/sites/${site.id}/maintenance/tickets`, {
          query: { kind: 'preventive', status: [...ACTIVE, 'done', 'verified'].join(','), limit: 500 },
        }),
      ]);
      state.plans = planList;
      state.tickets = tickets.items;
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    if (!alive) return;
    paint();
  }

  /** The days shown: a whole month (from its Monday) or a week. */
  function range() {
    if (state.mode === 'week') {
      const first = weekStart(state.anchor);
      return {
        first,
        days: 7,
        label: t('maintenance.cal.weekOf', {
          date: dayLabel(first, { month: 'long', day: 'numeric', year: 'numeric' }),
        }),
      };
    }
    const monthStart = `${state.anchor.slice(0, 7)}-01`;
    const first = weekStart(monthStart);
    const [y, m] = monthStart.split('-').map(Number);
    const last = `${state.anchor.slice(0, 7)}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
    const days = Math.round((parse(weekStart(last)) - parse(first)) / DAY) + 7;
    return { first, days, label: dayLabel(monthStart, { month: 'long', year: 'numeric' }) };
  }

  function dayLabel(date, options) {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: 'UTC' }).format(new Date(parse(date)));
  }

  /** Everything on the calendar between `first` and `last` (inclusive), by date. */
  function events(first, last) {
    const byDay = new Map();
    const put = (date, event) => {
      if (date < first || date > last) return;
      if (!byDay.has(date)) byDay.set(date, []);
      byDay.get(date).push(event);
    };
    const ticketPlans = new Set();
    for (const ticket of state.tickets) {
      const at = ticket.dueAt ?? ticket.windowStart ?? ticket.createdAt;
      const date = localDate(at, site.timeZone);
      const open = ACTIVE.includes(ticket.status);
      if (open && ticket.pmPlanId) ticketPlans.add(`${ticket.pmPlanId}:${ticket.dueKey}`);
      put(date, {
        type: 'ticket',
        code: ticket.code,
        title: ticket.title,
        asset: ticket.assetCode,
        at,
        status: ticket.status,
        overdue: open && date < today,
        href: ticketHref(ticket.code),
      });
    }
    for (const plan of state.plans ?? []) {
      if (!plan.active || !plan.next?.dueAt) continue;
      const nextDate = localDate(plan.next.dueAt, site.timeZone);
      const base = {
        type: 'plan',
        code: plan.code,
        title: plan.name,
        asset: plan.assetCode,
        href: assetHref(plan.assetCode),
        trigger: plan.trigger,
      };
      if (!ticketPlans.has(`${plan.id}:${plan.next.dueKey}`)) {
        put(nextDate, {
          ...base,
          at: plan.next.dueAt,
          overdue: nextDate < today,
          due: plan.next.due,
          forecast: plan.trigger === 'meter',
        });
      }
      for (const date of repeats(plan, nextDate, last)) put(date, { ...base, at: null, projected: true });
    }
    return byDay;
  }

  /** The plan's later dates up to `last`, from its rule (calendar plans only; meters are forecast once). */
  function repeats(plan, from, last) {
    if (plan.trigger !== 'calendar') return [];
    const out = [];
    if (plan.fixedDates.length > 0) {
      for (let year = Number(from.slice(0, 4)); year <= Number(last.slice(0, 4)); year += 1) {
        for (const md of plan.fixedDates) {
          const date = `${year}-${md}`;
          if (date > from && date <= last) out.push(date);
        }
      }
      return out;
    }
    const n = plan.everyN ?? 1;
    const anchor = Number((plan.startDate ?? from).slice(8, 10));
    for (let i = 1; i < 400; i += 1) {
      const date =
        plan.everyUnit === 'month'
          ? addMonths(from, n * i, anchor)
          : addDays(from, n * i * (plan.everyUnit === 'week' ? 7 : 1));
      if (date > last) break;
      out.push(date);
    }
    return out;
  }

  function paint() {
    paintBar();
    fill(
      legend,
      h('span', { class: 'mt-chip mt-chip-plan' }, t('maintenance.cal.legendPlan')),
      h('span', { class: 'mt-chip mt-chip-projected' }, t('maintenance.cal.legendProjected')),
      h('span', { class: 'mt-chip mt-chip-ticket' }, t('maintenance.cal.legendTicket')),
      h('span', { class: 'mt-chip mt-chip-overdue' }, t('maintenance.cal.legendOverdue')),
    );
    if (state.error) showProblem(problem, state.error);
    else clearProblem(problem);
    if (!state.plans) return;
    grid.setAttribute('aria-busy', 'false');
    const { first, days } = range();
    const last = addDays(first, days - 1);
    const byDay = events(first, last);
    const month = state.anchor.slice(0, 7);
    const weekdays = Array.from({ length: 7 }, (_, i) => dayLabel(addDays(first, i), { weekday: 'short' }));
    grid.className = `mt-cal mt-cal-${state.mode}`;
    fill(
      grid,
      h(
        'div',
        { class: 'mt-cal-head', 'aria-hidden': 'true' },
        weekdays.map((w) => h('div', {}, w)),
      ),
      h(
        'ol',
        { class: 'mt-cal-days' },
        Array.from({ length: days }, (_, i) => {
          const date = addDays(first, i);
          const list = (byDay.get(date) ?? []).sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
          return h(
            'li',
            {
              class: [
                'mt-cal-day',
                date === today ? 'today' : '',
                state.mode === 'month' && date.slice(0, 7) !== month ? 'other' : '',
              ]
                .filter(Boolean)
                .join(' '),
              dataset: { date },
              'aria-current': date === today ? 'date' : undefined,
            },
            h(
              'p',
              { class: 'mt-cal-date' },
              h(
                'time',
                { datetime: date },
                dayLabel(
                  date,
                  state.mode === 'week'
                    ? { weekday: 'short', month: 'numeric', day: 'numeric' }
                    : { day: 'numeric' },
                ),
              ),
              h('span', { class: 'visually-hidden' }, dayLabel(date, { dateStyle: 'full' })),
            ),
            list.length > 0 ? h('ul', { class: 'mt-cal-events' }, list.map(eventItem)) : null,
          );
        }),
      ),
    );
    paintPlans();
  }

  function eventItem(e) {
    const tone = e.overdue
      ? 'mt-chip-overdue'
      : e.type === 'ticket'
        ? 'mt-chip-ticket'
        : e.projected
          ? 'mt-chip-projected'
          : 'mt-chip-plan';
    const note = e.overdue
      ? t('maintenance.cal.overdue')
      : e.projected
        ? t('maintenance.cal.projected')
        : e.forecast
          ? t('maintenance.cal.forecast')
          : e.type === 'ticket'
            ? t(`maintenance.status.${e.status}`)
            : t('maintenance.cal.planned');
    return h(
      'li',
      {
        class: `mt-chip ${tone}`,
        dataset: { event: e.type, code: e.code, ...(e.projected ? { projected: 'true' } : {}) },
      },
      link(e.href, e.code, { title: `${e.title} · ${e.asset}` }),
      state.mode === 'week'
        ? h(
            'span',
            { class: 'small mt-chip-detail' },
            `${e.title} · ${e.asset}${e.at ? ` · ${formatDateTime(e.at, site.timeZone)}` : ''}`,
          )
        : null,
      h('span', { class: state.mode === 'week' ? 'small' : 'visually-hidden' }, ` ${note}`),
    );
  }

  function paintBar() {
    const { label } = range();
    const step = (direction) => {
      state.anchor =
        state.mode === 'week'
          ? addDays(state.anchor, 7 * direction)
          : addMonths(`${state.anchor.slice(0, 7)}-01`, direction, 1);
      remember();
      paint();
    };
    fill(
      bar,
      h(
        'div',
        { class: 'mt-actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            id: 'mt-cal-prev',
            onclick: () => step(-1),
            'aria-label': t('maintenance.cal.prev'),
          },
          '‹',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            id: 'mt-cal-today',
            onclick: () => {
              state.anchor = today;
              remember();
              paint();
            },
          },
          t('maintenance.cal.today'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            id: 'mt-cal-next',
            onclick: () => step(1),
            'aria-label': t('maintenance.cal.next'),
          },
          '›',
        ),
        h('h2', { class: 'mt-cal-title', id: 'mt-cal-title', 'aria-live': 'polite' }, label),
      ),
      h(
        'div',
        { class: 'mt-segmented', role: 'group', 'aria-label': t('maintenance.cal.mode') },
        MODES.map((mode) =>
          h(
            'button',
            {
              type: 'button',
              class: `button ${state.mode === mode ? 'primary' : ''}`.trim(),
              id: `mt-cal-${mode}`,
              'aria-pressed': String(state.mode === mode),
              onclick: () => {
                state.mode = mode;
                remember();
                paint();
              },
            },
            t(`maintenance.cal.${mode}`),
          ),
        ),
      ),
    );
  }

  /** The address keeps the month or week shown (a reload or a shared link opens it again). */
  function remember() {
    history.replaceState(
      null,
      '',
      `/maintenance?${new URLSearchParams({ view: 'calendar', mode: state.mode, date: state.anchor })}`,
    );
  }

  function paintPlans() {
    const box = problemBox('mt-plans-problem');
    const list = state.plans ?? [];
    fill(
      plans,
      h(
        'div',
        { class: 'mt-plans-head' },
        h('h2', { id: 'mt-plans-title' }, t('maintenance.plans.title')),
        can.work
          ? actionButton(
              t('maintenance.plans.run'),
              async () => {
                clearProblem(box);
                try {
                  const result = await api(`/sites/${site.id}/maintenance/pm-plans/run`, {
                    method: 'POST',
                    body: {},
                  });
                  box.hidden = false;
                  fill(
                    box,
                    h(
                      'p',
                      { class: 'notice', role: 'status' },
                      t('maintenance.plans.made', { count: formatNumber(result.made.length) }),
                    ),
                  );
                  await load();
                } catch (error) {
                  showProblem(box, error);
                }
              },
              { name: 'runPm' },
            )
          : null,
      ),
      box,
      list.length === 0
        ? h('p', { class: 'muted' }, t('maintenance.plans.none'))
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
                  ['plan', 'asset', 'rule', 'nextDue', 'state', 'ticket'].map((c) =>
                    h('th', { scope: 'col' }, t(`maintenance.plans.col.${c}`)),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                list.map((plan) => {
                  const overdue =
                    plan.active &&
                    plan.next?.dueAt &&
                    Date.parse(plan.next.dueAt) < Date.now() &&
                    !plan.openTicket;
                  return h(
                    'tr',
                    { dataset: { plan: plan.code }, class: overdue ? 'late' : undefined },
                    h(
                      'th',
                      { scope: 'row' },
                      plan.code,
                      h('span', { class: 'muted small row-line' }, plan.name),
                    ),
                    h('td', {}, link(assetHref(plan.assetCode), plan.assetCode)),
                    h('td', {}, rule(plan)),
                    h(
                      'td',
                      { dataset: { field: 'nextDue' } },
                      plan.next?.dueAt ? formatDateTime(plan.next.dueAt, site.timeZone) : '—',
                      plan.next?.meter
                        ? h(
                            'span',
                            { class: 'muted small row-line' },
                            t('maintenance.plans.meterAt', {
                              due: formatNumber(plan.next.meter.dueReading),
                              now: formatNumber(plan.next.meter.current),
                            }),
                          )
                        : null,
                    ),
                    h(
                      'td',
                      {},
                      !plan.active
                        ? h('span', { class: 'badge' }, t('maintenance.plans.inactive'))
                        : overdue
                          ? h('span', { class: 'badge danger' }, t('maintenance.cal.overdue'))
                          : plan.next?.due
                            ? h('span', { class: 'badge warn' }, t('maintenance.plans.dueNow'))
                            : h('span', { class: 'badge mt-ok' }, t('maintenance.plans.scheduled')),
                    ),
                    h(
                      'td',
                      {},
                      plan.openTicket
                        ? [
                            link(ticketHref(plan.openTicket.code), plan.openTicket.code),
                            ' ',
                            statusBadge(plan.openTicket.status),
                          ]
                        : '—',
                    ),
                  );
                }),
              ),
            ),
          ),
    );
  }

  function rule(plan) {
    if (plan.trigger === 'meter') {
      return t('maintenance.plans.ruleMeter', { interval: formatNumber(plan.meterInterval) });
    }
    if (plan.fixedDates.length > 0)
      return t('maintenance.plans.ruleDates', { dates: plan.fixedDates.join(t('list.separator')) });
    if (plan.everyN === 1) return t(`maintenance.plans.rule.${plan.everyUnit}1`);
    return t(`maintenance.plans.rule.${plan.everyUnit}`, { n: formatNumber(plan.everyN) });
  }

  if (ctx.live) {
    removers.push(
      ctx.live.on('ticket.changed', () => void load()),
      ctx.live.on('resync', () => void load()),
    );
  }

  paintBar();
  void load();

  return {
    unmount() {
      alive = false;
      for (const remove of removers) remove();
    },
    relabel: paint,
  };
}
