import type { components, paths } from '../../api/schema';
import { roleCan } from '../../auth/access';
import type { Principal } from '../../auth/principal';

/**
 * The complaints area's own logic, kept pure for its tests: the queue's filters and
 * their place in the address, the order by SLA due, which actions a case offers, and
 * what the forms send.
 */

export type Complaint = components['schemas']['Complaint'];
export type ComplaintEvent = components['schemas']['ComplaintEvent'];
export type Status = NonNullable<Complaint['status']>;
export type Intake = components['schemas']['ComplaintIntake'];
export type ActionBody = NonNullable<paths['/v1/complaints/{complaintId}/actions']['post']['requestBody']>['content']['application/json'];
export type ActionName = ActionBody['action'];
export type QueueQuery = NonNullable<paths['/v1/complaints']['get']['parameters']['query']>;

/** Statuses in lifecycle order (shared/complaint: Statuses). */
export const STATUSES: readonly Status[] = ['received', 'acknowledged', 'in_progress', 'pending_customer', 'resolved', 'closed'];
/** The statuses of a case that still needs work. */
export const OPEN_STATUSES: readonly Status[] = ['received', 'acknowledged', 'in_progress', 'pending_customer'];
export const SEVERITIES = ['low', 'normal', 'high', 'critical'] as const;
/** The channels staff enter complaints from (the web form and surveys make their own). */
export const INTAKE_CHANNELS = ['phone', 'walk-in', 'email', 'wechat'] as const;

/** "*" in the address: all my locations, even when the header has one picked. */
export const ALL_LOCATIONS = '*';

export interface QueueFilters {
  /** One status, "open" for every status not yet resolved, or none. */
  status?: Status | 'open';
  /** A location id, ALL_LOCATIONS, or undefined for the header's choice. */
  locationId?: string;
  assignee?: string;
  breached?: boolean;
}

function isStatus(v: string | null): v is Status {
  return v !== null && (STATUSES as readonly string[]).includes(v);
}

/** The queue's filters read from the address's query (unknown values are dropped). */
export function filtersFromSearch(sp: URLSearchParams): QueueFilters {
  const f: QueueFilters = {};
  const status = sp.get('status');
  if (status === 'open' || isStatus(status)) f.status = status;
  const loc = sp.get('locationId');
  if (loc) f.locationId = loc;
  const assignee = sp.get('assignee')?.trim();
  if (assignee) f.assignee = assignee;
  const breached = sp.get('breached');
  if (breached === 'true' || breached === 'false') f.breached = breached === 'true';
  return f;
}

/** The filters as the address's query, in a fixed order (links and reloads keep them). */
export function filtersToSearch(f: QueueFilters): URLSearchParams {
  const sp = new URLSearchParams();
  if (f.status) sp.set('status', f.status);
  if (f.locationId) sp.set('locationId', f.locationId);
  if (f.assignee) sp.set('assignee', f.assignee);
  if (f.breached !== undefined) sp.set('breached', String(f.breached));
  return sp;
}

/** The queue's address for filters: what Today's numbers link to. */
export function queueHref(f: QueueFilters): string {
  const q = filtersToSearch(f).toString();
  return q ? `/complaints?${q}` : '/complaints';
}

/** The location the queue reads: the address's, else the header's; undefined for all. */
export function effectiveLocation(f: QueueFilters, picked: string | undefined): string | undefined {
  if (f.locationId === ALL_LOCATIONS) return undefined;
  return f.locationId ?? picked;
}

/** Cases read per request; the queue says when there are more. */
export const QUEUE_LIMIT = 200;

/**
 * The GET /v1/complaints queries the filters need: one per status for "open" (the API
 * filters by one status at a time), else one.
 */
export function queueQueries(f: QueueFilters, locationId: string | undefined): QueueQuery[] {
  const base: QueueQuery = { limit: QUEUE_LIMIT };
  if (locationId) base.locationId = locationId;
  if (f.assignee) base.assignee = f.assignee;
  if (f.breached !== undefined) base.breached = f.breached;
  const statuses: (Status | undefined)[] = f.status === 'open' ? [...OPEN_STATUSES] : [f.status];
  return statuses.map((s) => (s ? { ...base, status: s } : { ...base }));
}

export interface SlaClock {
  which: 'acknowledge' | 'resolve';
  dueAt: string;
  /** The clock is stopped while the case waits on the customer. */
  paused: boolean;
}

/**
 * The clock a case is racing: acknowledgement until it is acknowledged, then
 * resolution; none once resolved or closed.
 */
export function slaClock(c: Complaint): SlaClock | undefined {
  if (!(OPEN_STATUSES as readonly string[]).includes(c.status)) return undefined;
  if (c.status === 'received' && !c.acknowledgeClock?.stopped) {
    return { which: 'acknowledge', dueAt: c.acknowledgeBy, paused: false };
  }
  return { which: 'resolve', dueAt: c.resolveBy, paused: Boolean(c.resolveClock?.pausedSince) };
}

/**
 * The queue's order: running clocks by due time (soonest, and so the most overdue,
 * first), then paused clocks by due time, then cases with no clock, newest first.
 */
export function sortBySla(items: readonly Complaint[]): Complaint[] {
  const rank = (c: Complaint) => {
    const k = slaClock(c);
    return k ? (k.paused ? 1 : 0) : 2;
  };
  return [...items].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    if (ra === 2) return b.createdAt.localeCompare(a.createdAt);
    const da = Date.parse(slaClock(a)!.dueAt);
    const db = Date.parse(slaClock(b)!.dueAt);
    return da - db || a.complaintId.localeCompare(b.complaintId);
  });
}

/** Merges the pages of several queries, each case once. */
export function mergeCases(pages: readonly { items: Complaint[] }[]): Complaint[] {
  const seen = new Map<string, Complaint>();
  for (const p of pages) for (const c of p.items) seen.set(c.complaintId, c);
  return [...seen.values()];
}

/**
 * Where each action may be taken (shared/complaint: transitions); anything else is a
 * conflict the API would answer with 409.
 */
const ALLOWED_IN: Record<ActionName, readonly Status[]> = {
  acknowledge: ['received'],
  assign: ['received', 'acknowledged', 'in_progress', 'pending_customer'],
  note: STATUSES,
  start: ['received', 'acknowledged'],
  await_customer: ['acknowledged', 'in_progress'],
  resume: ['pending_customer'],
  triage: ['received', 'acknowledged', 'in_progress', 'pending_customer'],
  resolve: ['received', 'acknowledged', 'in_progress', 'pending_customer'],
  close: ['resolved'],
  reopen: ['resolved', 'closed'],
};

/** The order actions are offered in. */
export const ACTION_ORDER: readonly ActionName[] = [
  'acknowledge',
  'start',
  'assign',
  'note',
  'await_customer',
  'resume',
  'triage',
  'resolve',
  'close',
  'reopen',
];

/** Close and reopen need a manager or an administrator. */
const MANAGER_ACTIONS: readonly ActionName[] = ['close', 'reopen'];

/** The actions a person may take on a case in its status. */
export function allowedActions(status: Status, p: Principal): ActionName[] {
  return ACTION_ORDER.filter((a) => {
    if (!ALLOWED_IN[a].includes(status)) return false;
    const need = MANAGER_ACTIONS.includes(a) ? 'complaint.manage' : 'complaint.act';
    return p.roles.some((r) => roleCan(r, need));
  });
}

/** What the action forms collect (every field optional: each action reads its own). */
export interface ActionForm {
  assignee?: string;
  team?: string;
  note?: string;
  public?: boolean;
  resolution?: string;
  rootCause?: string;
  compensationPoints?: number | null;
  /** A compensation voucher: an amount off in the location's currency, for so many days. */
  voucherAmount?: number | null;
  voucherDays?: number | null;
  severity?: string;
  category?: string;
}

const trimmed = (s: string | undefined) => (s ?? '').trim();

/** How long a compensation voucher is valid unless staff say otherwise. */
export const VOUCHER_DAYS = 30;

/**
 * The body of POST /v1/complaints/{id}/actions for an action and its form, with the
 * version read (another version is answered 409): only the fields the action uses.
 */
export function actionBody(action: ActionName, form: ActionForm, version: number): ActionBody {
  const body: ActionBody = { action, version };
  const note = trimmed(form.note);
  switch (action) {
    case 'assign':
      body.assignee = trimmed(form.assignee);
      if (trimmed(form.team)) body.team = trimmed(form.team);
      break;
    case 'note':
      body.note = note;
      body.public = Boolean(form.public);
      return body;
    case 'resolve':
      body.resolution = trimmed(form.resolution);
      body.rootCause = form.rootCause ?? '';
      body.compensationPoints = form.compensationPoints ?? 0;
      if (form.voucherAmount) body.compensation = { voucher: { value: { amountOff: form.voucherAmount }, validDays: form.voucherDays ?? VOUCHER_DAYS } };
      break;
    case 'triage':
      if (form.severity) body.severity = form.severity;
      if (form.category) body.category = form.category;
      break;
  }
  if (note) body.note = note;
  return body;
}

/** What the intake form collects. */
export interface IntakeForm {
  channel: (typeof INTAKE_CHANNELS)[number];
  locationId: string;
  category: string;
  severity: (typeof SEVERITIES)[number];
  customerId?: string;
  contact: { name?: string; phone?: string; email?: string; locale?: 'zh-CN' | 'en' | '' };
  description: string;
  assignee?: string;
  staffId?: string;
}

/** The body of POST /v1/complaints/intake: trimmed, without empty optional fields. */
export function intakeBody(f: IntakeForm): Intake {
  const contact: Intake['contact'] = { name: trimmed(f.contact.name) };
  if (trimmed(f.contact.phone)) contact.phone = trimmed(f.contact.phone);
  if (trimmed(f.contact.email)) contact.email = trimmed(f.contact.email);
  if (f.contact.locale) contact.locale = f.contact.locale;
  const body: Intake = {
    channel: f.channel,
    locationId: f.locationId,
    category: f.category,
    severity: f.severity,
    description: trimmed(f.description),
    contact,
  };
  if (trimmed(f.customerId)) body.customerId = trimmed(f.customerId);
  if (trimmed(f.assignee)) body.assignee = trimmed(f.assignee);
  if (trimmed(f.staffId)) body.staffId = trimmed(f.staffId);
  return body;
}

/**
 * A field the API names in a problem ("contact.email") as the form's field path
 * (['contact', 'email']).
 */
export function fieldPath(field: string): string[] {
  return field.split('.');
}

export type TimelineView = 'all' | 'public' | 'internal';

/** The timeline newest first, all of it or what the customer sees or only staff see. */
export function timelineView(events: readonly ComplaintEvent[], view: TimelineView): ComplaintEvent[] {
  const kept = events.filter((e) => view === 'all' || (view === 'internal' ? e.internal === true : e.internal !== true));
  return kept.sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0) || (b.at ?? '').localeCompare(a.at ?? ''));
}
