// Orders from the ERP (B2MML-style OperationsRequest JSON): a file or pasted text, one result per request.
import { api, renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { field, fill } from './common.js';

/** What the text holds: one request, an array of them, or `{operationsRequests: [...]}`. */
export function requestsOf(json) {
  if (Array.isArray(json)) return json;
  if (json && typeof json === 'object' && Array.isArray(json.operationsRequests))
    return json.operationsRequests;
  return [json];
}

/** An example request for this site, to start from. */
function example(site) {
  const due = new Date(Date.now() + 10 * 86_400_000);
  due.setUTCHours(8, 0, 0, 0);
  return JSON.stringify(
    {
      id: 'ERP-ORDER-1',
      description: '',
      hierarchyScope: { equipmentId: site.code },
      operationsType: 'Production',
      endTime: due.toISOString().replace('.000Z', 'Z'),
      priority: 'normal',
      segmentRequirements: [
        {
          id: '10',
          materialRequirements: [
            {
              materialDefinitionId: 'MATERIAL-CODE',
              materialUse: 'Produced',
              quantity: { quantityString: '100', unitOfMeasure: 'PCS' },
            },
          ],
        },
      ],
    },
    null,
    2,
  );
}

/** The import panel: `imported()` after any order came in (the list reloads). */
export function createErpImport(board, { imported, openOrder }) {
  const { site } = board;
  const state = { text: '', results: null, parseError: null, busy: false };
  const element = h('section', {
    class: 'panel erp-import',
    id: 'erp-import',
    hidden: true,
    'aria-labelledby': 'erp-import-title',
  });

  function paint() {
    const textarea = h(
      'textarea',
      {
        id: 'erp-json',
        rows: '10',
        spellcheck: 'false',
        class: 'mono',
        oninput: (e) => (state.text = e.target.value),
      },
      state.text,
    );
    const fileInput = h('input', {
      id: 'erp-file',
      type: 'file',
      accept: '.json,application/json',
      onchange: async (e) => {
        const file = e.target.files?.[0];
        if (!file) return;
        state.text = await file.text();
        state.parseError = null;
        paint();
      },
    });
    fill(
      element,
      h('h3', { id: 'erp-import-title' }, t('planner.erp.title')),
      h('p', { class: 'muted small' }, t('planner.erp.intro', { site: site.code })),
      h(
        'form',
        {
          id: 'erp-form',
          onsubmit: (e) => {
            e.preventDefault();
            void run();
          },
        },
        h('div', { class: 'planner-form-grid' }, field(t('planner.erp.file'), fileInput)),
        field(t('planner.erp.paste'), textarea, 'erp-paste'),
        state.parseError
          ? h(
              'div',
              { class: 'problem', role: 'alert', id: 'erp-parse-error' },
              h('p', { class: 'problem-detail' }, t('planner.erp.badJson', { message: state.parseError })),
            )
          : null,
        h(
          'div',
          { class: 'planner-actions' },
          h(
            'button',
            { type: 'submit', class: 'primary', id: 'erp-submit', disabled: state.busy },
            t('planner.erp.import'),
          ),
          h(
            'button',
            {
              type: 'button',
              id: 'erp-example',
              onclick: () => {
                state.text = example(site);
                paint();
                element.querySelector('#erp-json')?.focus();
              },
            },
            t('planner.erp.example'),
          ),
        ),
      ),
      results(),
    );
  }

  function results() {
    if (!state.results) return null;
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table erp-results', id: 'erp-results' },
        h('caption', {}, t('planner.erp.results')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['request', 'outcome', 'orders'].map((c) => h('th', { scope: 'col' }, t(`planner.erp.col.${c}`))),
          ),
        ),
        h(
          'tbody',
          {},
          state.results.map((r) => {
            let outcome;
            if (r.error) {
              outcome = h('div', {});
              renderProblem(outcome, r.error);
            } else {
              outcome = h(
                'span',
                { class: r.created ? 'badge ok' : 'badge' },
                r.created ? t('planner.erp.created') : t('planner.erp.again'),
              );
            }
            return h(
              'tr',
              { dataset: { request: r.id, outcome: r.error ? 'error' : r.created ? 'created' : 'again' } },
              h('th', { scope: 'row' }, r.id || t('planner.erp.noId', { n: r.index + 1 })),
              h('td', {}, outcome),
              h(
                'td',
                {},
                (r.workOrders ?? []).map((wo) =>
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link-button',
                      dataset: { open: wo.code },
                      onclick: () => openOrder(wo.id),
                    },
                    wo.code,
                  ),
                ),
              ),
            );
          }),
        ),
      ),
    );
  }

  async function run() {
    let requests;
    try {
      requests = requestsOf(JSON.parse(state.text));
    } catch (error) {
      state.parseError = error instanceof Error ? error.message : String(error);
      state.results = null;
      paint();
      return;
    }
    state.parseError = null;
    state.busy = true;
    state.results = [];
    paint();
    let any = false;
    // One after the other: the API answers each request on its own (importing one again is harmless).
    for (const [index, request] of requests.entries()) {
      const id = request && typeof request === 'object' ? String(request.id ?? '') : '';
      try {
        const result = await api('/erp/operations-requests', { method: 'POST', body: request });
        state.results.push({ index, id, created: result.created, workOrders: result.workOrders });
        any = true;
      } catch (error) {
        state.results.push({ index, id, error });
      }
      paint();
    }
    state.busy = false;
    paint();
    if (any) imported();
  }

  paint();
  return {
    element,
    toggle(open = element.hidden) {
      element.hidden = !open;
      if (open) element.querySelector('#erp-json')?.focus();
      return open;
    },
    isOpen: () => !element.hidden,
    relabel: paint,
  };
}
