// Measured values at the terminal: process parameters and in-process inspection results typed on the keypad.
import { formatNumber } from '../../i18n.js';

/** Roles the server lets acknowledge and resolve andon calls. */
export const ANDON_ROLES = ['admin', 'operator', 'quality', 'maintenance', 'warehouse', 'planner'];

/** A measured value as the server takes it: an optional sign, 12 digits, 6 decimals at most. */
const MEASURED = /^-?\d{1,12}(\.\d{1,6})?$/;

export function isMeasured(value) {
  return MEASURED.test(value);
}

/** One key of the measuring keypad on a typed value: digits, `.`, `-` (changes the sign), clear, back. */
export function decimalKey(value, key) {
  if (key === 'clear') return '';
  if (key === 'back') return value.slice(0, -1);
  if (key === '-') return value.startsWith('-') ? value.slice(1) : `-${value}`;
  if (key === '.') {
    if (value.includes('.')) return value;
    return value === '' || value === '-' ? `${value}0.` : `${value}.`;
  }
  if (value === '0') return key;
  if (value === '-0') return `-${key}`;
  return value + key;
}

/**
 * Whether a typed value lies outside `[min, max]` (either may be missing; limits inclusive). Only a hint while
 * typing: the server's answer (`inRange`, `outOfSpec`) is what counts.
 */
export function outOfLimits(value, min, max) {
  if (!isMeasured(value)) return false;
  const v = Number(value);
  const lo = min === null || min === undefined || min === '' ? null : Number(min);
  const hi = max === null || max === undefined || max === '' ? null : Number(max);
  return (lo !== null && v < lo) || (hi !== null && v > hi);
}

/** Limits as people read them: `2,800 – 3,200 rpm`, `≥ 8`, `≤ 12`, or '—'. */
function limitsText(min, max, unit) {
  const has = (x) => x !== null && x !== undefined && x !== '';
  let text;
  if (has(min) && has(max))
    text = `${formatNumber(min, { maximumFractionDigits: 6 })} – ${formatNumber(max, { maximumFractionDigits: 6 })}`;
  else if (has(min)) text = `≥ ${formatNumber(min, { maximumFractionDigits: 6 })}`;
  else if (has(max)) text = `≤ ${formatNumber(max, { maximumFractionDigits: 6 })}`;
  else return '—';
  return unit ? `${text} ${unit}` : text;
}

/** A routing parameter's limits (`{name, unit, min, max}`). */
export function parameterLimits(parameter) {
  return limitsText(parameter.min, parameter.max, parameter.unit);
}

/** An inspection characteristic's specification limits (`{lsl, usl, unit}`). */
export function characteristicLimits(characteristic) {
  return limitsText(characteristic.lsl, characteristic.usl, characteristic.unit);
}
