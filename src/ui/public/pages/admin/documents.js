// BOM and routing revisions, each one document: the header (material, validity, description) with its lines
// or operations (each operation with the machines that can do it). The API takes the whole document on create
// and replaces all lines or operations on update; attachments and process parameters of an operation are kept
// as they are.
import { api, ApiError } from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { formActions, openModal, problemBox, submitting } from './common.js';
import { ISSUE_METHODS, refSelect, showFieldErrors } from './record-forms.js';

async function loadRefs(siteId, kinds, cache) {
  await Promise.all(
    kinds
      .filter((kind) => !cache[kind])
      .map(async (kind) => {
        const page = await api(`/sites/${siteId}/${kind}`, { query: { limit: 500, sort: 'code' } });
        cache[kind] = page.items;
      }),
  );
}

/** A labelled control of a row; `data-field` is set to its path when the form is read. */
function cell(part, label, control, wide = false) {
  return h(
    'label',
    { class: `admin-field rec-cell ${wide ? 'rec-wide' : ''}`.trim(), dataset: { part } },
    h('span', { class: 'admin-field-label' }, label),
    control,
  );
}

const input = (part, value, attrs = {}) =>
  h('input', { dataset: { part }, value: value ?? '', autocomplete: 'off', ...attrs });

const textOf = (row, part) =>
  row
    .querySelector(
      `:scope > [data-part="${part}"] input, :scope > [data-part="${part}"] select, :scope > [data-part="${part}"] textarea`,
    )
    ?.value.trim() ?? '';
const int = (raw) => (/^\d+$/.test(raw) ? Number(raw) : raw);
const optional = (name, raw) => (raw === '' ? {} : { [name]: raw });

/** Names the row and its cells by their index, so the API's `lines[1].quantityPer` finds its cell. */
function indexRow(row, path) {
  row.dataset.field = path;
  for (const c of row.querySelectorAll(':scope > [data-part]')) c.dataset.field = `${path}.${c.dataset.part}`;
}

// ---------- BOM ----------

function bomLineRow(line, cache, nextNo) {
  const row = h(
    'fieldset',
    { class: 'rec-row rec-line' },
    h('legend', { class: 'visually-hidden' }, t('admin.doc.line')),
    cell('lineNo', t('admin.doc.lineNo'), input('lineNo', line?.lineNo ?? nextNo, { inputmode: 'numeric' })),
    cell(
      'componentId',
      t('admin.doc.component'),
      refSelect({ dataset: { part: 'componentId' } }, cache.materials, line?.componentId, { required: true }),
      true,
    ),
    cell(
      'quantityPer',
      t('admin.doc.quantityPer'),
      input('quantityPer', line?.quantityPer, { inputmode: 'decimal' }),
    ),
    cell(
      'scrapFactor',
      t('admin.doc.scrapFactor'),
      input('scrapFactor', line?.scrapFactor ?? '', { inputmode: 'decimal', placeholder: '0.05' }),
    ),
    cell(
      'issueMethod',
      t('admin.doc.issueMethod'),
      h(
        'select',
        { dataset: { part: 'issueMethod' } },
        ISSUE_METHODS.map((m) =>
          h(
            'option',
            { value: m, selected: (line?.issueMethod ?? 'manual') === m },
            t(`admin.doc.issue.${m}`),
          ),
        ),
      ),
    ),
    cell(
      'operationSeq',
      t('admin.doc.operationSeq'),
      input('operationSeq', line?.operationSeq ?? '', { inputmode: 'numeric' }),
    ),
  );
  row.append(
    h(
      'button',
      { type: 'button', class: 'rec-remove', onclick: () => row.remove() },
      t('admin.doc.removeLine'),
    ),
  );
  return row;
}

function readBomLine(row, i) {
  indexRow(row, `lines.${i}`);
  return {
    lineNo: int(textOf(row, 'lineNo')),
    componentId: textOf(row, 'componentId'),
    quantityPer: textOf(row, 'quantityPer'),
    ...optional('scrapFactor', textOf(row, 'scrapFactor')),
    issueMethod: textOf(row, 'issueMethod'),
    ...(textOf(row, 'operationSeq') === '' ? {} : { operationSeq: int(textOf(row, 'operationSeq')) }),
  };
}

// ---------- routing ----------

function equipmentRow(item, cache) {
  const row = h(
    'fieldset',
    { class: 'rec-row rec-machine' },
    h('legend', { class: 'visually-hidden' }, t('admin.doc.machine')),
    cell(
      'equipmentId',
      t('admin.doc.equipment'),
      refSelect({ dataset: { part: 'equipmentId' } }, cache.equipment, item?.equipmentId, { required: true }),
      true,
    ),
    cell(
      'runTimePerUnitSec',
      t('admin.doc.runTime'),
      input('runTimePerUnitSec', item?.runTimePerUnitSec, { inputmode: 'decimal' }),
    ),
    cell(
      'setupTimeSec',
      t('admin.doc.setupTime'),
      input('setupTimeSec', item?.setupTimeSec ?? '', { inputmode: 'decimal' }),
    ),
    cell('setupFamily', t('admin.doc.setupFamily'), input('setupFamily', item?.setupFamily ?? '')),
  );
  row.append(
    h(
      'button',
      { type: 'button', class: 'rec-remove', onclick: () => row.remove() },
      t('admin.doc.removeMachine'),
    ),
  );
  return row;
}

function operationRow(op, cache, nextSeq) {
  const machines = h('div', { class: 'rec-rows rec-machines', dataset: { part: 'equipment' } });
  for (const item of op?.equipment ?? [null]) machines.append(equipmentRow(item, cache));
  const row = h(
    'fieldset',
    { class: 'rec-row rec-operation' },
    h('legend', {}, t('admin.doc.operation')),
    cell('seq', t('admin.doc.seq'), input('seq', op?.seq ?? nextSeq, { inputmode: 'numeric' })),
    cell('name', t('admin.doc.opName'), input('name', op?.name, { maxlength: 200 }), true),
    cell('nameZh', t('admin.doc.opNameZh'), input('nameZh', op?.nameZh ?? '', { maxlength: 200 })),
    cell(
      'workCenterId',
      t('admin.doc.workCenter'),
      refSelect({ dataset: { part: 'workCenterId' } }, cache['work-centers'], op?.workCenterId, {
        required: true,
      }),
      true,
    ),
    cell(
      'minTransferQty',
      t('admin.doc.minTransferQty'),
      input('minTransferQty', op?.minTransferQty ?? '', { inputmode: 'decimal' }),
    ),
    h(
      'label',
      { class: 'admin-check rec-bool', dataset: { part: 'inspectionPoint' } },
      h('input', { type: 'checkbox', dataset: { part: 'inspectionPoint' }, checked: !!op?.inspectionPoint }),
      h('span', {}, t('admin.doc.inspectionPoint')),
    ),
    cell(
      'instructions',
      t('admin.doc.instructions'),
      h('textarea', { dataset: { part: 'instructions' }, rows: 2, maxlength: 20000 }, op?.instructions ?? ''),
      true,
    ),
    h(
      'div',
      { class: 'rec-sub rec-wide', dataset: { part: 'equipment' } },
      h('span', { class: 'admin-field-label' }, t('admin.doc.machines')),
      machines,
      h(
        'button',
        {
          type: 'button',
          class: 'rec-add-machine',
          onclick: () => machines.append(equipmentRow(null, cache)),
        },
        t('admin.doc.addMachine'),
      ),
    ),
    h(
      'button',
      { type: 'button', class: 'rec-remove', onclick: () => row.remove() },
      t('admin.doc.removeOperation'),
    ),
  );
  // Not edited here: sent back as they were.
  row.keep = { attachments: op?.attachments ?? [], parameters: op?.parameters ?? [] };
  return row;
}

function readOperation(row, i) {
  indexRow(row, `operations.${i}`);
  const machines = [...row.querySelectorAll('.rec-machine')].map((m, j) => {
    indexRow(m, `operations.${i}.equipment.${j}`);
    return {
      equipmentId: textOf(m, 'equipmentId'),
      runTimePerUnitSec: textOf(m, 'runTimePerUnitSec'),
      ...optional('setupTimeSec', textOf(m, 'setupTimeSec')),
      ...optional('setupFamily', textOf(m, 'setupFamily')),
    };
  });
  return {
    seq: int(textOf(row, 'seq')),
    name: textOf(row, 'name'),
    ...optional('nameZh', textOf(row, 'nameZh')),
    workCenterId: textOf(row, 'workCenterId'),
    ...optional('minTransferQty', textOf(row, 'minTransferQty')),
    ...optional('instructions', textOf(row, 'instructions')),
    inspectionPoint: row.querySelector('input[data-part="inspectionPoint"]').checked,
    equipment: machines,
    ...(row.keep.attachments.length ? { attachments: row.keep.attachments } : {}),
    ...(row.keep.parameters.length ? { parameters: row.keep.parameters } : {}),
  };
}

// ---------- the dialog ----------

/** Opens the editor of a BOM or routing revision (`record` null: a new revision). */
export async function openDocumentEditor(host, { site, kindPath, record, cache, onSaved, onProblem }) {
  const bom = kindPath === 'boms';
  const base = `/sites/${site.id}/${kindPath}`;
  let current = null;
  try {
    [current] = await Promise.all([
      record ? api(`${base}/${record.id}`) : null,
      loadRefs(site.id, bom ? ['materials'] : ['materials', 'work-centers', 'equipment'], cache),
    ]);
  } catch (error) {
    onProblem(error);
    return null;
  }
  const kindLabel = t(`admin.md.kind.${kindPath}`);
  return openModal(host, {
    id: 'doc-dialog',
    wide: true,
    title: current
      ? t('admin.doc.editTitle', { kind: kindLabel, code: current.materialCode, revision: current.revision })
      : t('admin.rec.newTitle', { kind: kindLabel }),
    build: (close) => {
      const box = problemBox('doc-dialog-problem');
      const head = (name, label, control) =>
        h(
          'label',
          { class: 'admin-field', dataset: { field: name } },
          h('span', { class: 'admin-field-label' }, label),
          control,
        );
      const material = refSelect(
        { name: 'materialId', id: 'doc-material', disabled: !!current },
        (cache.materials ?? []).filter((m) => ['finished', 'semi_finished'].includes(m.materialClass)),
        current?.materialId,
        { required: true },
      );
      const validFrom = h('input', {
        type: 'date',
        name: 'validFrom',
        id: 'doc-valid-from',
        value: current?.validFrom ?? '',
      });
      const validTo = h('input', {
        type: 'date',
        name: 'validTo',
        id: 'doc-valid-to',
        value: current?.validTo ?? '',
      });
      const baseQuantity = bom
        ? h('input', {
            name: 'baseQuantity',
            id: 'doc-base-quantity',
            inputmode: 'decimal',
            value: current?.baseQuantity ?? '1',
          })
        : null;
      const description = h(
        'textarea',
        { name: 'description', id: 'doc-description', rows: 2, maxlength: 500 },
        current?.description ?? '',
      );
      const rows = h('div', { class: 'rec-rows', id: bom ? 'doc-lines' : 'doc-operations' });
      const items = bom ? (current?.lines ?? []) : (current?.operations ?? []);
      const addRow = (item) => {
        const count = rows.children.length;
        rows.append(
          bom ? bomLineRow(item, cache, (count + 1) * 10) : operationRow(item, cache, (count + 1) * 10),
        );
      };
      for (const item of items) addRow(item);
      if (items.length === 0) addRow(null);
      const readRows = () =>
        [...rows.children].map((row, i) => (bom ? readBomLine(row, i) : readOperation(row, i)));
      const initialRows = JSON.stringify(readRows());
      const reason = current
        ? h(
            'label',
            { class: 'admin-field' },
            h('span', { class: 'admin-field-label' }, t('admin.rec.reason')),
            h('input', { name: 'reason', id: 'doc-reason', autocomplete: 'off', maxlength: 1000 }),
          )
        : null;
      const form = h(
        'form',
        { class: 'admin-form', id: 'doc-form', novalidate: true, dataset: { kind: kindPath } },
        current
          ? h(
              'p',
              { class: 'muted', id: 'doc-version' },
              t('admin.rec.versionRead', { version: current.version }),
            )
          : null,
        h(
          'div',
          { class: 'admin-grid rec-grid' },
          head('materialId', `${t('admin.doc.material')} *`, material),
          head('validFrom', `${t('admin.md.col.validFrom')} *`, validFrom),
          head('validTo', t('admin.md.col.validTo'), validTo),
          bom ? head('baseQuantity', t('admin.doc.baseQuantity'), baseQuantity) : null,
          h(
            'label',
            { class: 'admin-field rec-wide', dataset: { field: 'description' } },
            h('span', { class: 'admin-field-label' }, t('admin.md.col.description')),
            description,
          ),
        ),
        h(
          'section',
          { class: 'rec-sub', dataset: { field: bom ? 'lines' : 'operations' } },
          h('h3', {}, t(bom ? 'admin.doc.lines' : 'admin.doc.operations')),
          rows,
          h(
            'button',
            { type: 'button', id: 'doc-add-row', onclick: () => addRow(null) },
            t(bom ? 'admin.doc.addLine' : 'admin.doc.addOperation'),
          ),
        ),
        reason,
        box,
        formActions(close, current ? t('admin.rec.save') : t('admin.rec.create'), { submitId: 'doc-submit' }),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void submitting(form, box, async () => {
          try {
            const list = readRows();
            const key = bom ? 'lines' : 'operations';
            let saved;
            if (current) {
              const body = { version: current.version };
              const changed = (name, value, before) => {
                if (value !== (before ?? '')) body[name] = value === '' ? null : value;
              };
              changed('validFrom', validFrom.value, current.validFrom);
              changed('validTo', validTo.value, current.validTo);
              if (bom) changed('baseQuantity', baseQuantity.value.trim(), current.baseQuantity);
              changed('description', description.value.trim(), current.description);
              if (JSON.stringify(list) !== initialRows) body[key] = list;
              if (Object.keys(body).length === 1)
                throw new ApiError(400, {
                  title: t('admin.rec.nothingChanged'),
                  detail: t('admin.rec.nothingChanged'),
                });
              const why = form.elements.reason.value.trim();
              if (why) body.reason = why;
              saved = await api(`${base}/${current.id}`, { method: 'PATCH', body });
            } else {
              saved = await api(base, {
                method: 'POST',
                body: {
                  materialId: material.value,
                  validFrom: validFrom.value,
                  ...optional('validTo', validTo.value),
                  ...(bom ? optional('baseQuantity', baseQuantity.value.trim()) : {}),
                  ...optional('description', description.value.trim()),
                  [key]: list,
                },
              });
            }
            close();
            onSaved(saved, !current);
          } catch (error) {
            showFieldErrors(form, error);
            throw error;
          }
        });
      });
      return form;
    },
  });
}
