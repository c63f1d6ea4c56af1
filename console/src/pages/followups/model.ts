import type { components } from '../../api/schema';

/**
 * The follow-ups area's pure logic: a wall-clock time at a location turned into the
 * instant the API takes, and the schedule form turned into its request.
 */

export type Followup = components['schemas']['Followup'];

/** The offset of timeZone from UTC at instant ms, in ms (east positive). */
function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a wall-clock time ("YYYY-MM-DDTHH:mm", as a datetime-local input
 * gives it) in timeZone; undefined for text that is not such a time. A time skipped by
 * a clock change is read with the offset before it.
 */
export function zonedToInstant(local: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  if (Number.isNaN(wall)) return undefined;
  let at = wall - offsetAt(wall, timeZone);
  at = wall - offsetAt(at, timeZone);
  return new Date(at);
}

/** The wall-clock time of an instant in timeZone, as a datetime-local input takes it. */
export function instantToZoned(at: Date, timeZone: string): string {
  const wall = new Date(at.getTime() + offsetAt(at.getTime(), timeZone));
  return wall.toISOString().slice(0, 16);
}

/**
 * The default due time of a new message: the next day at 10:00 at the location, a time
 * inside any location's opening hours and outside quiet hours.
 */
export function defaultDue(now: Date, timeZone: string): string {
  const today = instantToZoned(now, timeZone).slice(0, 10);
  const next = new Date(Date.parse(`${today}T00:00:00Z`) + 24 * 3600_000).toISOString().slice(0, 10);
  return `${next}T10:00`;
}

export type Channel = '' | 'email' | 'sms';

export interface ScheduleForm {
  /** The local due time at the location; empty for "as soon as allowed". */
  due: string;
  channel: Channel;
  en: string;
  zh: string;
}

export interface ScheduleBody {
  customerId: string;
  kind: 'message';
  channel?: 'email' | 'sms';
  dueAt?: string;
  message: { 'zh-CN'?: string; en?: string };
  locationId?: string;
}

/**
 * The POST /v1/followups body for a message written by staff: the texts given (at
 * least one), the channel if one was picked (else the profile's), the due time read
 * in the location's zone. Returns the first field at fault instead when the form is
 * not complete.
 */
export function scheduleBody(
  customerId: string,
  form: ScheduleForm,
  timeZone: string,
  locationId: string | undefined,
  now: Date,
): ScheduleBody | { field: 'due' | 'duePast' | 'message' } {
  const message: ScheduleBody['message'] = {};
  if (form.zh.trim()) message['zh-CN'] = form.zh.trim();
  if (form.en.trim()) message.en = form.en.trim();
  if (!message['zh-CN'] && !message.en) return { field: 'message' };
  let dueAt: string | undefined;
  if (form.due.trim()) {
    const at = zonedToInstant(form.due.trim(), timeZone);
    if (!at) return { field: 'due' };
    if (at.getTime() < now.getTime() - 60_000) return { field: 'duePast' };
    dueAt = at.toISOString();
  }
  return {
    customerId,
    kind: 'message',
    ...(form.channel ? { channel: form.channel } : {}),
    ...(dueAt ? { dueAt } : {}),
    message,
    ...(locationId ? { locationId } : {}),
  };
}

/** Whether a follow-up may still be cancelled: scheduled or queued, not yet sending. */
export function cancellable(f: Pick<Followup, 'status'>): boolean {
  return f.status === 'scheduled' || f.status === 'queued';
}

/** The channel a follow-up goes by, from its recipient. */
export function channelOf(f: Pick<Followup, 'recipient'>): string | undefined {
  const ch = (f.recipient as Record<string, unknown> | undefined)?.channel;
  return typeof ch === 'string' && ch !== '' ? ch : undefined;
}

/**
 * A time the API gave, or undefined for none: the follow-ups API writes an unset time
 * as Go's zero time (0001-01-01T00:00:00Z) rather than leaving it out.
 */
export function givenTime(v: string | undefined): string | undefined {
  if (!v || v.startsWith('0001-01-01')) return undefined;
  return Number.isNaN(Date.parse(v)) ? undefined : v;
}
