// A barcode scanner in keyboard mode (keyboard wedge) types a code in quick keystrokes ending in Enter. Wherever
// the focus is on the page (a button, the graph, nothing), such a burst is taken as a scan; typing by hand is
// far slower and is left alone. A scan into a text field is that field's own business (its form submits).

/** A pause this long starts a new code (a person reading the next label). */
const NEW_CODE_MS = 500;
/** Mean time between the keystrokes of a scan at most (scanners send a key every few milliseconds; people ~150). */
const MEAN_GAP_MS = 45;
/** Enter follows the last character of a scan at once. */
const ENTER_GAP_MS = 150;
/** Shortest code taken as a scan. */
const MIN_LENGTH = 3;

const editable = (target) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** Listens on `root` (the document) and calls `onScan(code)` for each burst; returns the remover. */
export function listenForScans(root, onScan) {
  let buffer = '';
  let first = 0;
  let last = 0;
  const keydown = (event) => {
    if (event.defaultPrevented || editable(event.target)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const now = event.timeStamp || performance.now();
    const gap = now - last;
    if (event.key === 'Enter') {
      const code = buffer.trim();
      const mean = code.length > 1 ? (last - first) / (buffer.length - 1) : Infinity;
      buffer = '';
      last = now;
      if (code.length >= MIN_LENGTH && gap <= ENTER_GAP_MS && mean <= MEAN_GAP_MS) {
        event.preventDefault();
        onScan(code);
      }
      return;
    }
    if (event.key.length !== 1) {
      // Shift comes with capitals and some symbols of a code; any other key means a person at the keyboard.
      if (event.key !== 'Shift') buffer = '';
      return;
    }
    if (buffer === '' || gap > NEW_CODE_MS) {
      buffer = event.key;
      first = now;
    } else buffer += event.key;
    last = now;
  };
  root.addEventListener('keydown', keydown, true);
  return () => root.removeEventListener('keydown', keydown, true);
}
