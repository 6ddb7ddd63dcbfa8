// Building blocks of the trace page's tables.
import { h } from '../../dom.js';
import { t } from '../../i18n.js';

/** A link that opens the trace of another lot (re-centres the page on it); a real link, so it can be shared. */
export function lotLink(code) {
  return h(
    'a',
    {
      href: `/trace?lot=${encodeURIComponent(code)}`,
      'data-link': true,
      class: 'trace-lot-link',
      dataset: { traceLot: code },
      title: t('trace.recenter', { code }),
    },
    code,
  );
}

/**
 * A table: `columns` are labels (the first heads the row headers); each row is `{dataset, head, cells}` where a
 * cell is text, a node, an array of them, or `{class, field, text}`.
 */
export function table(id, columns, rows, caption) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table trace-table', id },
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((label) => h('th', { scope: 'col' }, label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            { dataset: row.dataset ?? {} },
            h('th', { scope: 'row' }, row.head),
            row.cells.map((c) =>
              c !== null && typeof c === 'object' && !(c instanceof Node) && !Array.isArray(c)
                ? h('td', { class: c.class, dataset: c.field ? { field: c.field } : undefined }, c.text)
                : h('td', {}, c),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Replaces an element's children, leaving out null and false (nested arrays are flattened). */
export function fill(element, ...children) {
  element.replaceChildren(
    ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false),
  );
  return element;
}
