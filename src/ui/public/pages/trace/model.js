// Small helpers of the trace page: what a lot is shown as, names in the reader's language, CSV downloads.
import { locale } from '../../i18n.js';

/** A decimal string that is zero ("0", "0.000"); compared as text, never as a float. */
export const isZero = (value) => /^-?0*(\.0*)?$/.test(String(value ?? '0').trim());

/**
 * What a lot is now, for colours and badges: its status, or `shipped` when nothing of it is left here and it
 * went to a customer.
 */
export function displayStatus(lot, hasShipments) {
  if (hasShipments && isZero(lot.onHand) && lot.status !== 'hold' && lot.status !== 'rejected')
    return 'shipped';
  return lot.status;
}

/** The material's name in Chinese when the reader reads Chinese and it has one. */
export const materialName = (lot) => (locale() === 'zh-CN' && lot.materialNameZh) || lot.materialName || '';

/** An Idempotency-Key (crypto.randomUUID needs a secure context; a plant's LAN address may not be one). */
export function newKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A CSV document (RFC 4180, CRLF) as the server writes them: cells quoted when needed, and text a spreadsheet
 * would take for a formula prefixed with an apostrophe.
 */
export function csvDocument(header, rows) {
  const cell = (v) => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Offers `text` as a file download (a byte-order mark first, so spreadsheets read Chinese text right). */
export function download(fileName, text, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob(['\ufeff', text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const fileName = (code) => String(code).replace(/[^A-Za-z0-9._-]+/g, '_');

/** The recall scope as CSV, one row per lot and place (the columns of the server's recall.csv). */
export function recallCsv(lots) {
  const rows = [];
  for (const l of lots) {
    const base = [l.code, l.depth, l.materialCode, l.status, l.onHand, l.unit, l.supplierCode, l.supplierLot];
    for (const loc of l.locations) rows.push([...base, 'stock', loc.code, loc.quantity, null, null]);
    for (const w of l.wip) rows.push([...base, 'wip', w.workOrderCode, w.quantity, w.status, null]);
    for (const s of l.shipments)
      rows.push([...base, 'shipped', s.customerCode, s.quantity, s.shipmentCode, s.shippedAt]);
    if (l.locations.length + l.wip.length + l.shipments.length === 0)
      rows.push([...base, 'used', null, null, null, null]);
  }
  return csvDocument(
    [
      'lot',
      'depth',
      'material',
      'status',
      'on_hand',
      'unit',
      'supplier',
      'supplier_lot',
      'where',
      'place',
      'quantity',
      'detail',
      'shipped_at',
    ],
    rows,
  );
}
