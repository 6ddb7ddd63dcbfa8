// Dialogs that create, change, deactivate and reactivate one master data record. The version read is sent back
// (optimistic concurrency): a record changed meanwhile is refused with 409 and can be loaded again.
import { api, ApiError } from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { field, formActions, openModal, problemBox, submitting } from './common.js';
import { openDocumentEditor } from './documents.js';
import { RECORD_FORMS, recordFields, refKinds, showFieldErrors } from './record-forms.js';

/** The records of the kinds a form picks from (all of them, up to 500 each; inactive ones are marked). */
export async function loadRefs(siteId, kinds, cache) {
  await Promise.all(
    kinds
      .filter((kind) => !cache[kind])
      .map(async (kind) => {
        const page = await api(`/sites/${siteId}/${kind}`, { query: { limit: 500, sort: 'code' } });
        cache[kind] = page.items;
      }),
  );
  return cache;
}

/**
 * Opens the editor of a record of `kindPath` (`record` null: a new one). `onSaved(saved, created)` runs after
 * the API accepted it; `cache` keeps the referenced lists between dialogs.
 */
export async function openRecordEditor(host, { site, kindPath, record, cache, onSaved, onProblem }) {
  if (RECORD_FORMS[kindPath]?.document) {
    return openDocumentEditor(host, { site, kindPath, record, cache, onSaved, onProblem });
  }
  const base = `/sites/${site.id}/${kindPath}`;
  let current = record;
  try {
    // The form starts from the record as it is now (and its version), not from the list read earlier.
    [current] = await Promise.all([
      record ? api(`${base}/${record.id}`) : null,
      loadRefs(site.id, refKinds(kindPath), cache),
    ]);
  } catch (error) {
    onProblem(error);
    return null;
  }
  const kindLabel = t(`admin.md.kind.${kindPath}`);
  return openModal(host, {
    id: 'rec-dialog',
    wide: true,
    title: current
      ? t('admin.rec.editTitle', { kind: kindLabel, code: current.code })
      : t('admin.rec.newTitle', { kind: kindLabel }),
    build: (close) => {
      const box = problemBox('rec-dialog-problem');
      const fields = recordFields(kindPath, current, cache);
      const reason = current
        ? field(
            t('admin.rec.reason'),
            h('input', { name: 'reason', id: 'rec-reason', autocomplete: 'off', maxlength: 1000 }),
            t('admin.rec.reasonHint'),
          )
        : null;
      const meta = current
        ? h(
            'p',
            { class: 'muted', id: 'rec-version' },
            t('admin.rec.versionRead', { version: current.version }),
          )
        : null;
      const reloadButton = h(
        'button',
        {
          type: 'button',
          id: 'rec-reload',
          hidden: true,
          onclick: () => {
            close();
            void openRecordEditor(host, { site, kindPath, record: current, cache, onSaved, onProblem });
          },
        },
        t('admin.rec.reload'),
      );
      const form = h(
        'form',
        { class: 'admin-form', id: 'rec-form', novalidate: true, dataset: { kind: kindPath } },
        meta,
        fields.element,
        reason,
        box,
        reloadButton,
        formActions(close, current ? t('admin.rec.save') : t('admin.rec.create'), { submitId: 'rec-submit' }),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void submitting(form, box, async () => {
          try {
            let saved;
            if (current) {
              const changes = fields.read('update');
              if (Object.keys(changes).length === 0) {
                throw new ApiError(400, {
                  title: t('admin.rec.nothingChanged'),
                  detail: t('admin.rec.nothingChanged'),
                });
              }
              const why = form.elements.reason.value.trim();
              saved = await api(`${base}/${current.id}`, {
                method: 'PATCH',
                body: { version: current.version, ...changes, ...(why ? { reason: why } : {}) },
              });
            } else {
              saved = await api(base, { method: 'POST', body: fields.read('create') });
            }
            showFieldErrors(form, null);
            close();
            onSaved(saved, !current);
          } catch (error) {
            reloadButton.hidden = !(error instanceof ApiError && error.status === 409);
            fields.errorsAt(error);
            throw error;
          }
        });
      });
      return form;
    },
  });
}

/** Asks for a reason and deactivates or reactivates the record (with the version read). */
export function openActiveToggle(host, { site, kindPath, record, onSaved }) {
  const activate = !record.active;
  const label = record.code ?? `${record.materialCode}/${record.revision}`;
  return openModal(host, {
    id: 'rec-active-dialog',
    title: t(activate ? 'admin.rec.reactivateTitle' : 'admin.rec.deactivateTitle', { code: label }),
    build: (close) => {
      const box = problemBox('rec-active-problem');
      const form = h(
        'form',
        { class: 'admin-form', id: 'rec-active-form', novalidate: true },
        h('p', {}, t(activate ? 'admin.rec.reactivateExplain' : 'admin.rec.deactivateExplain')),
        field(
          t('admin.rec.reason'),
          h('input', { name: 'reason', id: 'rec-active-reason', autocomplete: 'off', maxlength: 1000 }),
        ),
        box,
        formActions(close, t(activate ? 'admin.rec.reactivate' : 'admin.rec.deactivate'), {
          submitId: 'rec-active-submit',
          danger: !activate,
        }),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void submitting(form, box, async () => {
          const why = form.elements.reason.value.trim();
          const saved = await api(
            `/sites/${site.id}/${kindPath}/${record.id}/${activate ? 'reactivate' : 'deactivate'}`,
            { method: 'POST', body: { version: record.version, ...(why ? { reason: why } : {}) } },
          );
          close();
          onSaved(saved, false);
        });
      });
      return form;
    },
  });
}
