// A search-as-you-type field (combobox): typing asks the server (after a short pause) and offers the answers in
// a list under the field; arrow keys move, Enter or a click picks, Escape closes. The text stays editable, so a
// code can also be typed or scanned in full.
import { h } from '../../dom.js';
import { t } from '../../i18n.js';

const PAUSE_MS = 200;

/**
 * `combobox({id, value, search: async (text) => items, describe: (item) => [main, detail], pick: (item) => …,
 * onText: (text) => …, onEnter: (text) => …})` → `{element, input, close()}`. `onEnter` is called when Enter is
 * pressed without an option highlighted (e.g. a scanned code).
 */
export function combobox({ id, value = '', placeholder, search, describe, pick, onText, onEnter, ...rest }) {
  const listId = `${id}-options`;
  const input = h('input', {
    id,
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    placeholder,
    ...rest,
  });
  input.value = value;
  const list = h('ul', { id: listId, role: 'listbox', class: 'q-combo-list', hidden: true });
  const element = h('div', { class: 'q-combo' }, input, list);
  let items = [];
  let active = -1;
  let timer = null;
  let seq = 0;

  function close() {
    clearTimeout(timer);
    seq++;
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    items = [];
    active = -1;
  }

  function show(found, failed = false) {
    items = found;
    active = -1;
    list.replaceChildren(
      ...(failed
        ? [h('li', { class: 'q-combo-note', role: 'presentation' }, t('quality.picker.failed'))]
        : found.length === 0
          ? [h('li', { class: 'q-combo-note', role: 'presentation' }, t('quality.picker.none'))]
          : found.map((item, i) => {
              const [main, detail] = describe(item);
              return h(
                'li',
                {
                  id: `${listId}-${i}`,
                  role: 'option',
                  'aria-selected': 'false',
                  dataset: { value: main },
                  // mousedown, not click: the field keeps the focus (no blur closing the list first).
                  onmousedown: (e) => {
                    e.preventDefault();
                    choose(i);
                  },
                },
                h('strong', {}, main),
                detail ? h('span', { class: 'muted small' }, detail) : null,
              );
            })),
    );
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function highlight(next) {
    if (items.length === 0) return;
    active = (next + items.length) % items.length;
    list.querySelectorAll('[role="option"]').forEach((li, i) => {
      li.setAttribute('aria-selected', String(i === active));
      if (i === active) li.scrollIntoView({ block: 'nearest' });
    });
    input.setAttribute('aria-activedescendant', `${listId}-${active}`);
  }

  function choose(i) {
    const item = items[i];
    close();
    if (item) pick(item);
  }

  function lookUp() {
    clearTimeout(timer);
    const text = input.value.trim();
    const mine = ++seq;
    timer = setTimeout(async () => {
      try {
        const found = await search(text);
        if (mine === seq && document.activeElement === input) show(found);
      } catch {
        if (mine === seq && document.activeElement === input) show([], true);
      }
    }, PAUSE_MS);
  }

  input.addEventListener('input', () => {
    onText?.(input.value);
    lookUp();
  });
  input.addEventListener('focus', () => lookUp());
  input.addEventListener('blur', () => close());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (list.hidden) lookUp();
      else highlight(active + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      highlight(active - 1);
    } else if (e.key === 'Enter') {
      if (!list.hidden && active >= 0) {
        e.preventDefault();
        choose(active);
      } else if (onEnter && input.value.trim()) {
        e.preventDefault();
        const text = input.value.trim();
        close();
        onEnter(text);
      }
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
    }
  });

  return { element, input, close };
}
