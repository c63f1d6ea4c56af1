import common from '../i18n/common';
import { t, type Locale } from '../i18n';
import type { Instant } from './format';

/**
 * An SLA clock: the wall-clock time left until a due time (a complaint's acknowledgeBy
 * or resolveBy, a follow-up's dueAt). The server computes due times in the location's
 * business hours; the console only counts down to them.
 */
export interface Countdown {
  /** Milliseconds until the due time; negative once it has passed. */
  remainingMs: number;
  breached: boolean;
  /** Not breached, and due within the warning window. */
  soon: boolean;
}

/** One hour before the due time, a clock turns to a warning. */
export const SOON_MS = 60 * 60_000;

export function countdown(dueAt: Instant, now: Date, soonMs: number = SOON_MS): Countdown {
  const due = dueAt instanceof Date ? dueAt : new Date(dueAt);
  const remainingMs = due.getTime() - now.getTime();
  const breached = remainingMs <= 0;
  return { remainingMs, breached, soon: !breached && remainingMs <= soonMs };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function unit(n: number, u: 'day' | 'hour' | 'minute', locale: Locale): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
}

/**
 * A length of time in its two largest units, rounded down to the minute, e.g.
 * "1 day 3 hr" / "1天3小时", "2 hr 5 min" / "2小时5分钟", "0 min" / "0分钟".
 */
export function formatDuration(ms: number, locale: Locale): string {
  const total = Math.floor(Math.abs(ms) / MINUTE) * MINUTE;
  const days = Math.floor(total / DAY);
  const hours = Math.floor((total % DAY) / HOUR);
  const minutes = Math.floor((total % HOUR) / MINUTE);
  const parts: string[] = [];
  if (days > 0) {
    parts.push(unit(days, 'day', locale));
    if (hours > 0) parts.push(unit(hours, 'hour', locale));
  } else if (hours > 0) {
    parts.push(unit(hours, 'hour', locale));
    if (minutes > 0) parts.push(unit(minutes, 'minute', locale));
  } else {
    parts.push(unit(minutes, 'minute', locale));
  }
  return parts.join(locale === 'zh-CN' ? '' : ' ');
}

/** "2 hr 5 min left" / "剩余 2小时5分钟", or "Overdue by 15 min" / "已超时 15分钟". */
export function countdownLabel(c: Countdown, locale: Locale): string {
  const time = formatDuration(c.remainingMs, locale);
  return t(common, locale, c.breached ? 'sla.overdue' : 'sla.left', { time });
}
