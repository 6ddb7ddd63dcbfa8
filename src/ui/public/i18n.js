// Labels in zh-CN and English, numbers and dates through Intl in the chosen locale.
import { messages as en } from './i18n/en.js';
import { messages as zhCN } from './i18n/zh-CN.js';

export const LOCALES = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
];

const CATALOGS = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'mom.locale';
const listeners = new Set();
let current = initialLocale();

/** The remembered choice, else the browser's first language we speak (Chinese of any region → zh-CN). */
function initialLocale() {
  const stored = readStored();
  if (stored && CATALOGS[stored]) return stored;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const lower = String(tag || '').toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

function readStored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function locale() {
  return current;
}

export function setLocale(code) {
  if (!CATALOGS[code] || code === current) return;
  current = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Private windows may refuse storage: the choice then lasts for this page only.
  }
  document.documentElement.lang = code;
  for (const listener of listeners) listener(code);
}

/** Calls `listener(code)` after every switch; returns the function that stops it. */
export function onLocaleChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The label `key` in the current locale, with `{name}` placeholders filled from `params`. */
export function t(key, params) {
  const text = CATALOGS[current][key] ?? CATALOGS.en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Whether the catalogues have a label for `key` (for optional labels such as error codes). */
export function has(key) {
  return key in CATALOGS[current] || key in CATALOGS.en;
}

/** A label from a family (`status.running`), or the raw value when the family does not know it. */
export function tOr(prefix, value) {
  const key = `${prefix}.${value}`;
  return CATALOGS[current][key] ?? CATALOGS.en[key] ?? String(value);
}

const EMPTY = '—';

/** Quantities arrive as decimal strings: Intl formats the string itself, so no digit is lost to a float. */
export function formatNumber(value, options = {}) {
  if (value === null || value === undefined || value === '') return EMPTY;
  return new Intl.NumberFormat(current, { maximumFractionDigits: 3, ...options }).format(value);
}

/** A ratio 0..1 as a percentage (one decimal). */
export function formatPercent(ratio, fractionDigits = 1) {
  if (ratio === null || ratio === undefined) return EMPTY;
  return new Intl.NumberFormat(current, {
    style: 'percent',
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(ratio);
}

/** Date and time in the site's time zone (the factory's clock, wherever the viewer is). */
export function formatDateTime(iso, timeZone) {
  if (!iso) return EMPTY;
  return new Intl.DateTimeFormat(current, {
    dateStyle: 'short',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

/** Month, day and time (the year is plain on a dashboard of today and the next days). */
export function formatShortDateTime(iso, timeZone) {
  if (!iso) return EMPTY;
  return new Intl.DateTimeFormat(current, {
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

export function formatTime(iso, timeZone) {
  if (!iso) return EMPTY;
  return new Intl.DateTimeFormat(current, {
    timeStyle: 'medium',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

document.documentElement.lang = current;
