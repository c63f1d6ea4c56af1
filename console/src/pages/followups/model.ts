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
  return f.recipient.channel || undefined;
}

/**
 * A time the API gave, or undefined for none: the follow-ups API writes an unset time
 * as Go's zero time (0001-01-01T00:00:00Z) rather than leaving it out.
 */
export function givenTime(v: string | undefined): string | undefined {
  if (!v || v.startsWith('0001-01-01')) return undefined;
  return Number.isNaN(Date.parse(v)) ? undefined : v;
}

/** Every status of a follow-up, in the order of its life. */
export const STATUSES = ['scheduled', 'queued', 'sending', 'sent', 'skipped', 'failed', 'cancelled'] as const;

/** Every kind of follow-up (shared/followup's Kinds). */
export const KINDS = [
  'post-service-survey',
  'complaint-callback',
  'complaint-update',
  'recovery-callback',
  'sla-warning',
  'escalation',
  'birthday',
  'points-expiry',
  'tier-change',
  'win-back',
  'campaign',
  'voucher',
  'voucher-expiry',
  'message',
] as const;

/**
 * The location list's filters as the address keeps them: ?status= and ?kind= (one
 * value or a comma list, e.g. Today's ?kind=complaint-callback&status=scheduled), and
 * ?from= / ?to= (days, YYYY-MM-DD, at each location). Status and kind pick among the
 * follow-ups loaded; the days bound the API's query.
 */
export interface Filters {
  status: string[];
  kind: string[];
  from: string;
  to: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isDay(v: string): boolean {
  return DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
}

/** The filters in an address; values it does not know are left out. */
export function readFilters(params: URLSearchParams): Filters {
  const list = (name: string, known: readonly string[]) => {
    const out: string[] = [];
    for (const v of (params.get(name) ?? '').split(',')) {
      const s = v.trim();
      if (known.includes(s) && !out.includes(s)) out.push(s);
    }
    return out;
  };
  const day = (name: string) => {
    const v = (params.get(name) ?? '').trim();
    return isDay(v) ? v : '';
  };
  return { status: list('status', STATUSES), kind: list('kind', KINDS), from: day('from'), to: day('to') };
}

/** The address with f's filters in it, the other parameters (locationId, view) kept. */
export function writeFilters(params: URLSearchParams, f: Filters): URLSearchParams {
  const next = new URLSearchParams(params);
  const put = (name: string, v: string) => (v ? next.set(name, v) : next.delete(name));
  put('status', f.status.join(','));
  put('kind', f.kind.join(','));
  put('from', f.from);
  put('to', f.to);
  return next;
}

/** Whether a follow-up passes the status and kind filters (none picked: all pass). */
export function matches(f: Pick<Followup, 'status' | 'kind'>, filters: Pick<Filters, 'status' | 'kind'>): boolean {
  return (filters.status.length === 0 || filters.status.includes(f.status)) && (filters.kind.length === 0 || filters.kind.includes(f.kind));
}

/**
 * The API's from/to for the days picked, at a location in timeZone: from the start of
 * the first day to the last moment of the last (the API's bounds are inclusive). The
 * last day before the first is the field at fault.
 */
export function dueBounds(f: Pick<Filters, 'from' | 'to'>, timeZone: string): { from?: string; to?: string } | { field: 'to' } {
  if (f.from && f.to && f.to < f.from) return { field: 'to' };
  const lo = f.from ? zonedToInstant(`${f.from}T00:00`, timeZone) : undefined;
  let hi: Date | undefined;
  if (f.to) {
    const next = new Date(Date.parse(`${f.to}T00:00:00Z`) + 24 * 3600_000).toISOString().slice(0, 10);
    const end = zonedToInstant(`${next}T00:00`, timeZone);
    hi = end && new Date(end.getTime() - 1);
  }
  return { ...(lo ? { from: lo.toISOString() } : {}), ...(hi ? { to: hi.toISOString() } : {}) };
}

/** The customer a follow-up goes to, or undefined for one to staff (a manager's alert). */
export function customerOf(f: Pick<Followup, 'recipient'>): string | undefined {
  const r = f.recipient;
  return r.type === 'customer' && r.id ? r.id : undefined;
}

/** One location's page of follow-ups, as the location list fetches them. */
export interface Chunk {
  locationId: string;
  items: Followup[];
  nextCursor: string | null;
}

export interface Merged {
  /** The follow-ups that can be shown in order, latest due first. */
  items: Followup[];
  /** The cursors to fetch next (location → cursor), undefined when all is loaded. */
  next: Record<string, string> | undefined;
}

/**
 * Several locations' lists merged by due time, latest first. Each location's list is
 * in that order already, but one location's next page may hold follow-ups due later
 * than another's loaded ones: a follow-up is shown only once no location with more to
 * load can still have one due after it. The next fetch is for the locations that hold
 * the rest back. Pages are in the order fetched; one location's later chunk carries
 * its current cursor.
 */
export function mergeByDue(pages: readonly (readonly Chunk[])[]): Merged {
  const per = new Map<string, { items: Followup[]; cursor: string | null }>();
  for (const page of pages) {
    for (const c of page) {
      const e = per.get(c.locationId) ?? { items: [], cursor: null };
      e.items.push(...c.items);
      e.cursor = c.nextCursor ?? null;
      per.set(c.locationId, e);
    }
  }
  const due = (f: Followup) => Date.parse(f.dueAt);
  const oldest = (items: Followup[]) => items.reduce((m, f) => Math.min(m, due(f)), Infinity);
  let mark = -Infinity;
  for (const e of per.values()) if (e.cursor) mark = Math.max(mark, oldest(e.items));
  const seen = new Set<string>();
  const all: Followup[] = [];
  for (const e of per.values()) {
    for (const f of e.items) {
      if (seen.has(f.followupId)) continue;
      seen.add(f.followupId);
      all.push(f);
    }
  }
  all.sort((a, b) => due(b) - due(a) || (a.followupId < b.followupId ? 1 : a.followupId > b.followupId ? -1 : 0));
  const next: Record<string, string> = {};
  for (const [loc, e] of per) if (e.cursor && oldest(e.items) === mark) next[loc] = e.cursor;
  return { items: all.filter((f) => due(f) >= mark), next: Object.keys(next).length ? next : undefined };
}
