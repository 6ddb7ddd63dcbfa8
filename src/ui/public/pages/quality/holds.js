// Lots on hold (冻结批次): what is held and why, releasing a hold (back to the status it was held from), and
// putting a lot on hold.
import { ApiError, api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../../i18n.js';
import {
  badge,
  clearProblem,
  empty,
  field,
  fill,
  localName,
  problemBox,
  readAll,
  showProblem,
} from './common.js';

const COALESCE_MS = 200;

export function mountHolds(container, env) {
  const { site, roles } = env;
  const state = {
    lots: null,
    error: null,
    materials: new Map(),
    releasing: null,
    releaseReason: '',
    holdLot: '',
    holdReason: '',
    actionError: null,
    busy: false,
  };
  let alive = true;
  let coalesce = null;
  const periodic = setInterval(() => void load(), 60_000);

  async function load() {
    try {
      const [lots, materials] = await Promise.all([
        readAll(`/sites/${site.id}/lots`, { status: 'hold' }),
        state.materials.size > 0 ? null : readAll(`/sites/${site.id}/materials`, {}, 2000),
      ]);
      if (materials) state.materials = new Map(materials.map((m) => [m.id, m]));
      state.lots = lots;
      state.error = null;
    } catch (error) {
      state.error = error;
      state.lots = state.lots ?? [];
    }
    render();
  }

  function render() {
    if (!alive) return;
    const problem = problemBox('holds-problem');
    const actionProblem = problemBox('holds-action-problem');
    fill(
      container,
      h(
        'div',
        { class: 'q-toolbar' },
        h('p', { class: 'muted q-toolbar-text' }, t('quality.holds.intro')),
        h(
          'div',
          { class: 'q-toolbar-actions' },
          h(
            'button',
            { type: 'button', id: 'holds-refresh', onclick: () => void load() },
            t('quality.refresh'),
          ),
        ),
      ),
      problem,
      actionProblem,
      state.lots === null
        ? h('p', { class: 'muted' }, t('common.loading'))
        : state.lots.length === 0
          ? empty(t('quality.holds.none'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table', id: 'holds-table' },
                h('caption', { class: 'visually-hidden' }, t('quality.tabs.holds')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['lot', 'material', 'onHand', 'reason', 'heldFrom', 'since', 'actions'].map((c) =>
                      h('th', { scope: 'col' }, t(`quality.holds.col.${c}`)),
                    ),
                  ),
                ),
                h('tbody', {}, state.lots.map(row)),
              ),
            ),
      roles.canAct ? holdForm() : null,
    );
    if (state.error) showProblem(problem, state.error);
    if (state.actionError) showProblem(actionProblem, state.actionError);
  }

  function row(lot) {
    const material = state.materials.get(lot.materialId);
    const releasing = state.releasing === lot.code;
    return h(
      'tr',
      { dataset: { lot: lot.code } },
      h('th', { scope: 'row' }, lot.code),
      h('td', {}, material ? `${material.code} · ${localName(material)}` : '—'),
      h('td', { class: 'num' }, formatNumber(lot.quantity)),
      h('td', {}, lot.statusReason ?? '—'),
      h('td', {}, lot.heldFrom ? badge('lotStatus', lot.heldFrom) : '—'),
      h('td', { class: 'nowrap' }, formatDateTime(lot.updatedAt, site.timeZone)),
      h(
        'td',
        {},
        !roles.canAct
          ? null
          : releasing
            ? releaseForm(lot)
            : h(
                'button',
                {
                  type: 'button',
                  class: 'q-small-button',
                  dataset: { release: lot.code },
                  onclick: () => {
                    state.releasing = lot.code;
                    state.releaseReason = '';
                    render();
                    container.querySelector('#holds-release-reason')?.focus();
                  },
                },
                t('quality.holds.release'),
              ),
      ),
    );
  }

  function releaseForm(lot) {
    const reason = h('input', {
      id: 'holds-release-reason',
      type: 'text',
      maxlength: '500',
      oninput: (e) => (state.releaseReason = e.target.value),
    });
    reason.value = state.releaseReason;
    return h(
      'form',
      {
        class: 'q-row-form',
        onsubmit: (e) => {
          e.preventDefault();
          void command(lot.code, 'unhold', {
            reason: state.releaseReason.trim() || undefined,
            expectedVersion: lot.version,
          });
        },
      },
      field(t('quality.holds.releaseReason'), reason),
      h(
        'div',
        { class: 'q-actions' },
        h(
          'button',
          { type: 'submit', class: 'primary', id: 'holds-release-confirm', disabled: state.busy },
          t('quality.holds.releaseConfirm', { lot: lot.code }),
        ),
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              state.releasing = null;
              render();
            },
          },
          t('quality.cancel'),
        ),
      ),
    );
  }

  function holdForm() {
    const lot = h('input', {
      id: 'holds-lot',
      type: 'text',
      maxlength: '64',
      autocomplete: 'off',
      oninput: (e) => (state.holdLot = e.target.value),
    });
    lot.value = state.holdLot;
    const reason = h('input', {
      id: 'holds-reason',
      type: 'text',
      maxlength: '500',
      oninput: (e) => (state.holdReason = e.target.value),
    });
    reason.value = state.holdReason;
    return h(
      'form',
      {
        class: 'panel q-panel q-form-grid',
        id: 'holds-hold-form',
        onsubmit: (e) => {
          e.preventDefault();
          void command(state.holdLot.trim(), 'hold', { reason: state.holdReason.trim() || undefined });
        },
      },
      h('h3', { class: 'q-span' }, t('quality.holds.holdTitle')),
      field(t('quality.holds.lot'), lot),
      field(t('quality.holds.reason'), reason),
      h(
        'div',
        { class: 'q-actions q-span' },
        h('button', { type: 'submit', id: 'holds-hold', disabled: state.busy }, t('quality.holds.hold')),
      ),
    );
  }

  async function command(code, name, body) {
    if (state.busy) return;
    state.busy = true;
    state.actionError = null;
    clearProblem(container.querySelector('#holds-action-problem'));
    if (!code) {
      state.busy = false;
      state.actionError = new ApiError(422, { detail: t('quality.holds.lotRequired') });
      render();
      container.querySelector('#holds-lot')?.focus();
      return;
    }
    try {
      const lot = await api(`/sites/${site.id}/lots/${encodeURIComponent(code)}/${name}`, {
        method: 'POST',
        body,
      });
      state.releasing = null;
      if (name === 'hold') {
        state.holdLot = '';
        state.holdReason = '';
      }
      env.notify(
        () =>
          t(name === 'hold' ? 'quality.holds.held' : 'quality.holds.released', {
            lot: lot.code,
            status: tOr('quality.lotStatus', lot.status),
          }),
        'ok',
      );
      state.busy = false;
      await load();
      return;
    } catch (error) {
      state.actionError = error;
    }
    state.busy = false;
    render();
  }

  render();
  void load();

  return {
    onLive(event) {
      if (event === 'ncr.changed' || event === 'inspection.changed' || event === 'resync') {
        clearTimeout(coalesce);
        coalesce = setTimeout(() => void load(), COALESCE_MS);
      }
    },
    relabel: render,
    unmount() {
      alive = false;
      clearTimeout(coalesce);
      clearInterval(periodic);
    },
  };
}
