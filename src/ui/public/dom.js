// A few helpers to build DOM without innerHTML (no markup from data, so nothing from the server is run).

/**
 * `h('p', {class: 'x', dataset: {k: 'v'}, onclick: fn}, 'text', child)`: an element with attributes,
 * properties (keys starting with `on` are listeners) and children (strings, nodes, arrays; null is skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/**
 * A table with a header row of `columns` (labels) and one row per item: `row(item)` answers
 * `{key: dataset of the row, head: the row's header cell, cells: [td content or {class, text}]}`.
 */
export function dataTable(className, columns, items, row) {
  return h(
    'table',
    { class: `table ${className}`.trim() },
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
      items.map((item) => {
        const r = row(item);
        return h(
          'tr',
          { dataset: r.key },
          h('th', { scope: 'row' }, r.head),
          r.cells.map((c) =>
            c !== null && typeof c === 'object' && !(c instanceof Node)
              ? h('td', { class: c.class }, c.text)
              : h('td', {}, c),
          ),
        );
      }),
    ),
  );
}

/** A bar 0..1 with its value for assistive technology (no inline style: the width is a CSS custom step). */
export function progressBar(ratio, label, tone = '') {
  const value = ratio === null || ratio === undefined ? 0 : Math.max(0, Math.min(1, ratio));
  const bar = h('progress', {
    class: `bar ${tone}`.trim(),
    max: '1000',
    value: String(Math.round(value * 1000)),
    'aria-label': label,
  });
  return bar;
}
