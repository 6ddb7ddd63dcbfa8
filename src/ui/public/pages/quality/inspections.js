// Inspections (检验): the list of what is due (IQC, IPQC, OQC) and the entry of one inspection's results by
// sample — the server judges them (out of spec, suggested outcome, SPC signals) and the page shows its answer.
import { ApiError, api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../../i18n.js';
import {
  badge,
  clearProblem,
  empty,
  facts,
  field,
  localName,
  newKey,
  options,
  problemBox,
  qualityPath,
  showProblem,
  fill,
} from './common.js';

const STATUS_FILTERS = ['pending,in_progress', 'passed', 'failed', 'cancelled'];
const TYPES = ['iqc', 'ipqc', 'oqc'];
const OPEN = ['pending', 'in_progress'];
const COALESCE_MS = 200;
const DECIMAL = /^-?\d{1,12}(\.\d{1,6})?$/;

export function mountInspections(container, env) {
  const { site, roles } = env;
  const state = {
    params: env.params,
    list: null,
    listError: null,
    detail: null,
    detailError: null,
    /** What was typed, by `${characteristicCode}/${sampleNo}`: kept across a language switch and a refresh. */
    draft: new Map(),
    /** The last answer to recording results (signals, automatic decision). */
    recorded: null,
    decisionNote: '',
    cancelReason: '',
    busy: false,
    actionError: null,
  };
  let alive = true;
  let coalesce = null;
  const periodic = setInterval(() => void load(), 60_000);

  const statusFilter = () =>
    STATUS_FILTERS.includes(state.params.status) ? state.params.status : STATUS_FILTERS[0];
  const typeFilter = () => (TYPES.includes(state.params.type) ? state.params.type : '');

  async function load() {
    if (!alive) return;
    if (state.params.inspection) await loadDetail();
    else await loadList();
  }

  async function loadList() {
    try {
      state.list = await api(qualityPath(site.id, 'inspections'), {
        query: { status: statusFilter(), type: typeFilter() || undefined, limit: 200 },
      });
      state.listError = null;
    } catch (error) {
      state.listError = error;
    }
    if (alive && !state.params.inspection) render();
  }

  async function loadDetail() {
    const id = state.params.inspection;
    try {
      const detail = await api(qualityPath(site.id, `inspections/${id}`));
      if (!alive || id !== state.params.inspection) return;
      state.detail = detail;
      state.detailError = null;
    } catch (error) {
      if (!alive || id !== state.params.inspection) return;
      state.detailError = error;
    }
    render();
  }

  function render() {
    if (!alive) return;
    if (state.params.inspection) renderDetail();
    else renderList();
  }

  // The list of inspections.

  function renderList() {
    const problem = problemBox('inspections-problem');
    const list = state.list;
    fill(
      container,
      h(
        'div',
        { class: 'q-toolbar' },
        field(
          t('quality.inspections.status'),
          h(
            'select',
            {
              id: 'inspections-status',
              onchange: (e) => env.go({ status: e.target.value, type: typeFilter() }),
            },
            options(
              STATUS_FILTERS.map((s) => [s, tOr('quality.inspectionFilter', s.replace(',', '_'))]),
              statusFilter(),
            ),
          ),
        ),
        field(
          t('quality.inspections.type'),
          h(
            'select',
            {
              id: 'inspections-type',
              onchange: (e) => env.go({ status: statusFilter(), type: e.target.value }),
            },
            options(
              [['', t('quality.all')], ...TYPES.map((type) => [type, tOr('quality.inspectionType', type)])],
              typeFilter(),
            ),
          ),
        ),
        h(
          'div',
          { class: 'q-toolbar-actions' },
          h(
            'button',
            { type: 'button', id: 'inspections-refresh', onclick: () => void loadList() },
            t('quality.refresh'),
          ),
        ),
      ),
      problem,
      list === null
        ? h('p', { class: 'muted' }, t('common.loading'))
        : list.items.length === 0
          ? empty(t('quality.inspections.none'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table q-inspections', id: 'inspections-table' },
                h('caption', { class: 'visually-hidden' }, t('quality.tabs.inspections')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['code', 'type', 'plan', 'material', 'subject', 'due', 'status'].map((c) =>
                      h('th', { scope: 'col' }, t(`quality.inspections.col.${c}`)),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  list.items.map((i) => {
                    const overdue = OPEN.includes(i.status) && Date.parse(i.dueAt) < Date.now();
                    return h(
                      'tr',
                      { dataset: { inspection: i.code } },
                      h(
                        'th',
                        { scope: 'row' },
                        h(
                          'a',
                          {
                            href: `/quality?view=inspections&inspection=${i.id}`,
                            onclick: (e) => {
                              e.preventDefault();
                              open(i.id);
                            },
                          },
                          i.code,
                        ),
                      ),
                      h('td', {}, badge('inspectionType', i.type)),
                      h(
                        'td',
                        {},
                        h('span', {}, i.plan.code),
                        h('span', { class: 'muted row-line' }, localName(i.plan)),
                      ),
                      h('td', {}, i.material.code),
                      h('td', {}, subject(i)),
                      h(
                        'td',
                        { class: 'nowrap' },
                        formatDateTime(i.dueAt, site.timeZone),
                        overdue
                          ? h('span', { class: 'badge danger' }, t('quality.inspections.overdue'))
                          : null,
                      ),
                      h('td', {}, badge('inspectionStatus', i.status)),
                    );
                  }),
                ),
              ),
            ),
      list?.nextCursor ? h('p', { class: 'muted' }, t('quality.inspections.more')) : null,
    );
    if (state.listError) showProblem(problem, state.listError);
  }

  function subject(i) {
    if (i.lot) return h('span', {}, t('quality.inspections.lot', { lot: i.lot.code }));
    if (i.workOrder) {
      return h(
        'span',
        {},
        t('quality.inspections.operation', { wo: i.workOrder.code, seq: i.operation?.seq ?? '—' }),
        i.sequenceNo > 1 ? h('span', { class: 'muted' }, ` #${i.sequenceNo}`) : null,
      );
    }
    return '—';
  }

  function open(id) {
    state.detail = null;
    state.detailError = null;
    state.draft.clear();
    state.recorded = null;
    state.actionError = null;
    env.go({ inspection: id, status: state.params.status, type: state.params.type });
  }

  // One inspection: its characteristics, results by sample, the server's judgement and the decision.

  function renderDetail() {
    const d = state.detail;
    const back = h(
      'a',
      {
        href: '/quality?view=inspections',
        class: 'button link q-back',
        id: 'inspection-back',
        onclick: (e) => {
          e.preventDefault();
          env.go({ status: state.params.status, type: state.params.type });
        },
      },
      t('quality.inspections.back'),
    );
    if (state.detailError && !d) {
      const box = problemBox('inspection-problem');
      fill(container, back, box);
      showProblem(box, state.detailError);
      return;
    }
    if (!d) {
      fill(container, back, h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    const editable = roles.canAct && OPEN.includes(d.status);
    const actionProblem = problemBox('inspection-action-problem');
    const form = h(
      'form',
      { id: 'inspection-form', class: 'q-inspection-form', novalidate: true, onsubmit: submitResults },
      d.characteristics
        .filter((c) => c.active || c.samples.length > 0)
        .map((c) => characteristicBlock(d, c, editable)),
      editable
        ? h(
            'div',
            { class: 'q-actions' },
            h(
              'button',
              { type: 'submit', class: 'primary', id: 'inspection-record', disabled: state.busy },
              t('quality.inspections.record'),
            ),
            h('span', { class: 'muted small' }, t('quality.inspections.recordHint')),
          )
        : null,
    );
    fill(
      container,
      back,
      h(
        'section',
        { class: 'panel q-panel', 'aria-labelledby': 'inspection-title' },
        h(
          'h2',
          { id: 'inspection-title' },
          d.code,
          badge('inspectionType', d.type),
          h('span', { id: 'inspection-status' }, badge('inspectionStatus', d.status)),
        ),
        facts([
          [t('quality.inspections.col.plan'), `${d.plan.code} · ${localName(d.plan)}`, 'plan'],
          [
            t('quality.inspections.col.material'),
            `${d.material.code} · ${localName(d.material)}`,
            'material',
          ],
          d.lot
            ? [
                t('quality.inspections.lotLabel'),
                `${d.lot.code} · ${tOr('quality.lotStatus', d.lot.status)} · ${formatNumber(d.lot.quantity)}`,
                'lot',
              ]
            : null,
          d.operation
            ? [
                t('quality.inspections.operationLabel'),
                `${d.operation.workOrderCode} · ${d.operation.seq} ${d.operation.name}`,
                'operation',
              ]
            : null,
          [t('quality.inspections.trigger'), tOr('quality.trigger', d.trigger), 'trigger'],
          [t('quality.inspections.sampleSize'), formatNumber(d.sampleSize), 'sampleSize'],
          [t('quality.inspections.col.due'), formatDateTime(d.dueAt, site.timeZone), 'due'],
          d.decidedAt
            ? [
                t('quality.inspections.decided'),
                `${formatDateTime(d.decidedAt, site.timeZone)} · ${d.decidedBy?.name ?? '—'}`,
                'decided',
              ]
            : null,
        ]),
      ),
      form,
      actionProblem,
      judgement(d),
      decision(d),
    );
    if (state.actionError) showProblem(actionProblem, state.actionError);
  }

  function characteristicBlock(d, c, editable) {
    const unit = c.unit ? ` ${c.unit}` : '';
    const bySample = new Map(c.samples.map((s) => [s.sampleNo, s]));
    const spec =
      c.kind === 'variable'
        ? t('quality.inspections.specVariable', {
            lsl: c.lsl === null ? '—' : formatNumber(c.lsl, { maximumFractionDigits: 6 }),
            target: c.target === null ? '—' : formatNumber(c.target, { maximumFractionDigits: 6 }),
            usl: c.usl === null ? '—' : formatNumber(c.usl, { maximumFractionDigits: 6 }),
            unit,
          })
        : tOr('quality.attributeType', c.attributeType);
    const samples = [];
    for (let n = 1; n <= d.sampleSize; n++) samples.push(sampleInput(c, n, bySample.get(n), editable));
    return h(
      'fieldset',
      { class: 'q-characteristic', dataset: { characteristic: c.code } },
      h(
        'legend',
        {},
        h('strong', {}, c.code),
        ' ',
        localName(c),
        h('span', { class: 'muted q-spec', dataset: { field: 'spec' } }, spec),
        c.chart ? h('span', { class: 'badge' }, tOr('quality.chartType', c.chart)) : null,
      ),
      h(
        'p',
        { class: 'muted small' },
        t('quality.inspections.recorded', { recorded: c.recorded, total: d.sampleSize }),
      ),
      h('div', { class: 'q-samples' }, samples),
    );
  }

  function sampleInput(c, n, recorded, editable) {
    const key = `${c.code}/${n}`;
    const id = `q-in-${c.code}-${n}`.replace(/[^\w-]/g, '_');
    const conform = recorded
      ? h(
          'span',
          {
            class: `badge ${recorded.conforming ? 'q-ok' : 'danger'}`,
            dataset: { conforming: String(recorded.conforming) },
          },
          recorded.conforming ? t('quality.inspections.conforming') : t('quality.inspections.nonconforming'),
        )
      : null;
    const label = t('quality.inspections.sample', { n });
    if (c.kind === 'variable' || c.attributeType === 'defect_count') {
      const initial = state.draft.has(key)
        ? state.draft.get(key)
        : recorded
          ? String(c.kind === 'variable' ? (recorded.value ?? '') : (recorded.defectCount ?? ''))
          : '';
      const input = h('input', {
        id,
        type: 'text',
        inputmode: c.kind === 'variable' ? 'decimal' : 'numeric',
        autocomplete: 'off',
        enterkeyhint: 'next',
        class: 'q-sample-input',
        dataset: { characteristic: c.code, sample: String(n), recorded: recorded ? 'true' : 'false' },
        value: initial,
        disabled: !editable,
        'aria-describedby': `${id}-hint`,
        oninput: (e) => state.draft.set(key, e.target.value),
        onkeydown: nextOnEnter,
      });
      return h(
        'div',
        { class: `q-sample ${recorded && !recorded.conforming ? 'q-sample-bad' : ''}`.trim() },
        h('label', { for: id }, label),
        input,
        h('span', { id: `${id}-hint`, class: 'q-sample-hint' }, conform),
      );
    }
    // pass_fail: two large choices.
    const current = state.draft.has(key) ? state.draft.get(key) : recorded ? String(recorded.passed) : '';
    const choice = (value, text) =>
      h(
        'label',
        { class: 'q-choice' },
        h('input', {
          type: 'radio',
          name: id,
          value,
          checked: current === value,
          disabled: !editable,
          dataset: { characteristic: c.code, sample: String(n) },
          onchange: () => state.draft.set(key, value),
        }),
        h('span', {}, text),
      );
    return h(
      'fieldset',
      { class: `q-sample q-pass-fail ${recorded && !recorded.conforming ? 'q-sample-bad' : ''}`.trim(), id },
      h('legend', {}, label),
      choice('true', t('quality.inspections.pass')),
      choice('false', t('quality.inspections.fail')),
      conform,
    );
  }

  function nextOnEnter(event) {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const inputs = [...container.querySelectorAll('.q-sample-input:not([disabled])')];
    const next = inputs[inputs.indexOf(event.target) + 1];
    if (next) next.focus();
    else container.querySelector('#inspection-record')?.focus();
  }

  /** Every sample typed or changed since it was recorded; wrong entries become field errors on the page. */
  function collect(d) {
    const results = [];
    const errors = [];
    for (const c of d.characteristics) {
      const bySample = new Map(c.samples.map((s) => [s.sampleNo, s]));
      for (let n = 1; n <= d.sampleSize; n++) {
        const key = `${c.code}/${n}`;
        if (!state.draft.has(key)) continue;
        const raw = String(state.draft.get(key)).trim().replace(',', '.');
        const recorded = bySample.get(n);
        if (raw === '') continue;
        if (c.kind === 'variable') {
          if (!DECIMAL.test(raw)) {
            errors.push({ field: `${c.code} #${n}`, message: t('quality.inspections.badNumber') });
            continue;
          }
          if (recorded && recorded.value !== null && Number(recorded.value) === Number(raw)) continue;
          results.push({ characteristic: c.code, sampleNo: n, value: raw });
        } else if (c.attributeType === 'defect_count') {
          if (!/^\d{1,6}$/.test(raw)) {
            errors.push({ field: `${c.code} #${n}`, message: t('quality.inspections.badCount') });
            continue;
          }
          if (recorded && recorded.defectCount === Number(raw)) continue;
          results.push({ characteristic: c.code, sampleNo: n, defectCount: Number(raw) });
        } else {
          const passed = raw === 'true';
          if (recorded && recorded.passed === passed) continue;
          results.push({ characteristic: c.code, sampleNo: n, passed });
        }
      }
    }
    return { results, errors };
  }

  async function submitResults(event) {
    event.preventDefault();
    const d = state.detail;
    if (!d || state.busy) return;
    const { results, errors } = collect(d);
    const box = container.querySelector('#inspection-action-problem');
    if (errors.length > 0 || results.length === 0) {
      state.actionError = localError(
        errors.length > 0 ? t('quality.inspections.fixFields') : t('quality.inspections.nothingToRecord'),
        errors,
      );
      showProblem(box, state.actionError);
      return;
    }
    state.busy = true;
    clearProblem(box);
    state.actionError = null;
    try {
      const answer = await api(qualityPath(site.id, `inspections/${d.id}/results`), {
        method: 'POST',
        body: { results },
        idempotencyKey: newKey(),
      });
      state.detail = answer;
      state.recorded = { signals: answer.signals ?? [], decidedAutomatically: answer.decidedAutomatically };
      state.draft.clear();
      env.notify(() => t('quality.inspections.recordedNow', { count: results.length, code: d.code }), 'ok');
    } catch (error) {
      state.actionError = error;
    } finally {
      state.busy = false;
    }
    render();
  }

  /** What the server made of the results. */
  function judgement(d) {
    const outcome = d.suggestedOutcome;
    return h(
      'section',
      {
        class: 'panel q-panel q-judgement',
        id: 'inspection-result',
        'aria-labelledby': 'inspection-result-title',
        'aria-live': 'polite',
      },
      h('h3', { id: 'inspection-result-title' }, t('quality.inspections.result')),
      facts([
        [
          t('quality.inspections.suggested'),
          outcome
            ? h(
                'span',
                { class: `badge ${outcome === 'pass' ? 'q-ok' : 'danger'}`, dataset: { outcome } },
                tOr('quality.outcome', outcome),
              )
            : h('span', { dataset: { outcome: 'none' } }, t('quality.inspections.noResults')),
          'suggested',
        ],
        [t('quality.inspections.complete'), d.complete ? t('quality.yes') : t('quality.no'), 'complete'],
        [t('quality.inspections.col.status'), badge('inspectionStatus', d.status), 'status'],
      ]),
      d.outOfSpec.length > 0
        ? h(
            'ul',
            { class: 'q-findings', id: 'inspection-findings' },
            d.outOfSpec.map((f) =>
              h(
                'li',
                { dataset: { finding: `${f.characteristicCode}/${f.sampleNo}`, kind: f.kind } },
                t('quality.inspections.finding', {
                  code: f.characteristicCode,
                  n: f.sampleNo,
                  kind: tOr('quality.finding', f.kind),
                }),
              ),
            ),
          )
        : null,
      d.missing.length > 0
        ? h(
            'p',
            { class: 'muted', id: 'inspection-missing' },
            t('quality.inspections.missing', {
              list: d.missing
                .map((m) => `${m.code} (${m.missingSamples.join(', ')})`)
                .join(t('list.separator')),
            }),
          )
        : null,
      state.recorded?.signals?.length
        ? h(
            'ul',
            { class: 'q-findings', id: 'inspection-signals' },
            state.recorded.signals.map((s) =>
              h(
                'li',
                {},
                t('quality.inspections.signal', { rules: (s.rules ?? []).join(t('list.separator')) }),
              ),
            ),
          )
        : null,
      state.recorded?.decidedAutomatically
        ? h('p', { class: 'notice' }, t('quality.inspections.decidedAutomatically'))
        : null,
      d.lotOutcome
        ? h(
            'p',
            {
              class: d.lotOutcome.applied ? 'q-lot-outcome ok' : 'q-lot-outcome notice',
              id: 'inspection-lot-outcome',
            },
            d.lotOutcome.applied
              ? t('quality.inspections.lotMoved', {
                  lot: d.lotOutcome.lotCode,
                  from: tOr('quality.lotStatus', d.lotOutcome.from),
                  to: tOr('quality.lotStatus', d.lotOutcome.to),
                })
              : t('quality.inspections.lotNotMoved', {
                  lot: d.lotOutcome.lotCode,
                  message: d.lotOutcome.message,
                }),
          )
        : null,
      d.ncr
        ? h(
            'p',
            { id: 'inspection-ncr' },
            h(
              'a',
              {
                href: `/quality?view=ncr&ncr=${d.ncr.id}`,
                onclick: (e) => {
                  e.preventDefault();
                  env.goView('ncr', { ncr: d.ncr.id });
                },
              },
              t('quality.inspections.ncr', { code: d.ncr.code }),
            ),
            badge('ncrStatus', d.ncr.status),
          )
        : null,
    );
  }

  /** IQC/OQC are decided by quality (IPQC decides itself once every sample is recorded). */
  function decision(d) {
    if (!roles.canAct || !OPEN.includes(d.status)) return null;
    const note = h('textarea', {
      id: 'inspection-note',
      rows: '2',
      maxlength: '1000',
      oninput: (e) => (state.decisionNote = e.target.value),
    });
    note.value = state.decisionNote;
    const reason = h('input', {
      id: 'inspection-cancel-reason',
      type: 'text',
      maxlength: '1000',
      oninput: (e) => (state.cancelReason = e.target.value),
    });
    reason.value = state.cancelReason;
    const decide = (outcome) => () =>
      void act('decision', { outcome, note: state.decisionNote.trim() || undefined });
    return h(
      'section',
      { class: 'panel q-panel', 'aria-labelledby': 'inspection-decision-title' },
      h('h3', { id: 'inspection-decision-title' }, t('quality.inspections.decision')),
      d.type === 'ipqc'
        ? h('p', { class: 'muted' }, t('quality.inspections.ipqcDecides'))
        : h(
            'div',
            {},
            field(t('quality.inspections.note'), note, t('quality.inspections.noteHint')),
            h(
              'div',
              { class: 'q-actions' },
              h(
                'button',
                { type: 'button', class: 'primary', id: 'inspection-pass', onclick: decide('pass') },
                t('quality.inspections.decidePass'),
              ),
              h(
                'button',
                { type: 'button', class: 'q-danger', id: 'inspection-fail', onclick: decide('fail') },
                t('quality.inspections.decideFail'),
              ),
            ),
          ),
      h(
        'details',
        { class: 'q-cancel' },
        h('summary', {}, t('quality.inspections.cancel')),
        field(t('quality.inspections.cancelReason'), reason),
        h(
          'button',
          {
            type: 'button',
            id: 'inspection-cancel',
            onclick: () => void act('cancel', { reason: state.cancelReason }),
          },
          t('quality.inspections.cancelConfirm'),
        ),
      ),
    );
  }

  async function act(command, body) {
    const d = state.detail;
    if (!d || state.busy) return;
    state.busy = true;
    state.actionError = null;
    try {
      state.detail = await api(qualityPath(site.id, `inspections/${d.id}/${command}`), {
        method: 'POST',
        body,
        idempotencyKey: command === 'decision' ? newKey() : undefined,
      });
      state.decisionNote = '';
      state.cancelReason = '';
      env.notify(
        () =>
          t(`quality.inspections.did.${command === 'decision' ? 'decision' : 'cancel'}`, { code: d.code }),
        'ok',
      );
    } catch (error) {
      state.actionError = error;
    } finally {
      state.busy = false;
    }
    render();
  }

  function refreshSoon() {
    clearTimeout(coalesce);
    coalesce = setTimeout(() => {
      // An entry in progress is not redrawn under the inspector's fingers; only its status is read again.
      if (state.params.inspection && state.draft.size > 0) return;
      void load();
    }, COALESCE_MS);
  }

  render();
  void load();

  return {
    update(params) {
      const opened = params.inspection !== state.params.inspection;
      state.params = params;
      if (opened) {
        state.detail = null;
        state.detailError = null;
        state.draft.clear();
        state.recorded = null;
        state.actionError = null;
      }
      render();
      void load();
    },
    onLive(event, data) {
      if (event === 'inspection.changed' || event === 'resync') {
        if (!state.params.inspection || event === 'resync' || data.inspectionId === state.params.inspection)
          refreshSoon();
      } else if (event === 'inspection.results' && !state.params.inspection) {
        // Results recorded elsewhere move the inspection on in the list (pending → in progress).
        refreshSoon();
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

/** A problem made on the page (before anything is sent), shown like the server's. */
function localError(detail, errors) {
  return new ApiError(422, { detail, errors });
}
