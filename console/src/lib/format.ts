import type { Locale } from '../i18n';

/**
 * Dates, numbers and money as a person of the location reads them: times in the
 * location's time zone (an IANA name), money in the amount's currency, words and
 * separators in the console's language. Everything goes through Intl.
 */

export type Instant = string | number | Date;

function toDate(at: Instant): Date {
  return at instanceof Date ? at : new Date(at);
}

/** timeZone if the browser knows it, else undefined (a typo in a location's settings). */
function knownZone(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

/**
 * Formats at with opts in timeZone. A zone the browser does not know falls back to UTC,
 * said so, rather than failing the page.
 */
function inZone(at: Instant, timeZone: string, locale: Locale, opts: Intl.DateTimeFormatOptions): string {
  const d = toDate(at);
  if (Number.isNaN(d.getTime())) return '—';
  const zone = knownZone(timeZone);
  const s = new Intl.DateTimeFormat(locale, { ...opts, timeZone: zone ?? 'UTC' }).format(d);
  return zone ? s : `${s} UTC`;
}

/** Date and time, e.g. "6 Dec 2026, 15:42" / "2026年12月6日 15:42". */
export function formatDateTime(at: Instant, timeZone: string, locale: Locale): string {
  return inZone(at, timeZone, locale, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });
}

/** The calendar day at that instant in the zone. */
export function formatDate(at: Instant, timeZone: string, locale: Locale): string {
  return inZone(at, timeZone, locale, { dateStyle: 'medium' });
}

/** The wall-clock time at that instant in the zone. */
export function formatTime(at: Instant, timeZone: string, locale: Locale): string {
  return inZone(at, timeZone, locale, { timeStyle: 'short', hourCycle: 'h23' });
}

/**
 * The calendar day (YYYY-MM-DD) at that instant in the zone (UTC for an unknown zone):
 * what "today" means at a location, for the API's from/to parameters and for grouping.
 */
export function dayInZone(at: Instant, timeZone: string): string {
  const d = toDate(at);
  if (Number.isNaN(d.getTime())) return '';
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone: knownZone(timeZone) ?? 'UTC',
  }).format(d);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago or ahead at is from now, in words: "3 minutes ago", "in 2 hours",
 * "yesterday" / "3分钟前", "2小时后", "昨天". Beyond a month, weeks and months are
 * not counted: show the date instead.
 */
export function formatRelative(at: Instant, now: Date, locale: Locale): string {
  const d = toDate(at);
  if (Number.isNaN(d.getTime())) return '—';
  const diff = d.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (abs < MINUTE) return rtf.format(0, 'second');
  if (abs < HOUR) return rtf.format(Math.trunc(diff / MINUTE), 'minute');
  if (abs < DAY) return rtf.format(Math.trunc(diff / HOUR), 'hour');
  return rtf.format(Math.trunc(diff / DAY), 'day');
}

/** An amount of money in its currency (ISO 4217), e.g. "¥1,280.00" or "CN¥1,280.00". */
export function formatMoney(amount: number, currency: string, locale: Locale): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return `${formatNumber(amount, locale)} ${currency}`;
  }
}

/** A count or score with the language's grouping, e.g. 12,345. */
export function formatNumber(n: number, locale: Locale, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(n);
}

/** A ratio (0..1) as a percentage, e.g. 0.935 → "93.5%". */
export function formatPercent(ratio: number, locale: Locale): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}
