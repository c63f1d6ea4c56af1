/**
 * Segments (shared/segment): a saved filter over one home location's customers and
 * their value figures, and campaigns to its members, each with a voucher if it gives
 * one. The builder's form, its mapping to the API's filter, the filter said as
 * conditions, and the campaign request.
 */

export const CLASSES = ['A', 'B', 'C'] as const;
export const TIERS = ['vip', 'key', 'regular', 'potential'] as const;
export type Tier = (typeof TIERS)[number];

export type AbcClass = (typeof CLASSES)[number];

export interface Filter {
  locationId: string;
  abc?: AbcClass[];
  tiers?: Tier[];
  minR?: number;
  minF?: number;
  minM?: number;
  tags?: string[];
  inactiveDays?: number;
  activeDays?: number;
  minVisits?: number;
}

export interface Segment {
  segmentId: string;
  name: string;
  filter: Filter;
  createdBy?: string;
  createdAt?: string;
}

/** A member as GET /v1/segments/{id}/customers lists it (a profile with its value). */
export interface Member {
  customerId: string;
  name?: string;
  tags?: string[];
  visits?: number;
  monetary?: number;
  lastVisit?: string;
  value?: { rfm?: { r: number; f: number; m: number }; abc?: string; tier?: string };
}

export type LastVisit = 'any' | 'within' | 'notWithin';

export interface BuilderForm {
  name: string;
  locationId: string;
  abc: AbcClass[];
  tiers: Tier[];
  minR?: number | null;
  minF?: number | null;
  minM?: number | null;
  tags: string[];
  lastVisit: LastVisit;
  days?: number | null;
  minVisits?: number | null;
}

export function emptyBuilder(locationId = ''): BuilderForm {
  return { name: '', locationId, abc: [], tiers: [], tags: [], lastVisit: 'any' };
}

const positive = (x: number | null | undefined) => (typeof x === 'number' && x > 0 ? x : undefined);

/** POST /v1/segments's body: conditions left empty are left out (they hold for everyone). */
export function toRequest(f: BuilderForm): { name: string; filter: Filter } {
  const filter: Filter = { locationId: f.locationId };
  if (f.abc.length > 0) filter.abc = [...f.abc].sort();
  if (f.tiers.length > 0) filter.tiers = TIERS.filter((t) => f.tiers.includes(t));
  const r = positive(f.minR);
  const fq = positive(f.minF);
  const m = positive(f.minM);
  if (r) filter.minR = r;
  if (fq) filter.minF = fq;
  if (m) filter.minM = m;
  const tags = [...new Set(f.tags.map((t) => t.trim()).filter((t) => t !== ''))];
  if (tags.length > 0) filter.tags = tags;
  const days = positive(f.days);
  if (days && f.lastVisit === 'within') filter.activeDays = days;
  if (days && f.lastVisit === 'notWithin') filter.inactiveDays = days;
  const visits = positive(f.minVisits);
  if (visits) filter.minVisits = visits;
  return { name: f.name.trim(), filter };
}

/** One condition of a filter, as a message key and its values (data kept apart). */
export interface Condition {
  key:
    | 'cond.abc'
    | 'cond.tiers'
    | 'cond.minR'
    | 'cond.minF'
    | 'cond.minM'
    | 'cond.tags'
    | 'cond.activeDays'
    | 'cond.inactiveDays'
    | 'cond.minVisits';
  /** Numbers for the message. */
  n?: number;
  /** Values shown as they are (classes, tag names): data, not words. */
  values?: string[];
  /** Tiers, to be said in words. */
  tiers?: Tier[];
}

/** The filter's conditions in a fixed order; none means every customer of the location. */
export function conditions(f: Filter): Condition[] {
  const out: Condition[] = [];
  if (f.abc?.length) out.push({ key: 'cond.abc', values: f.abc });
  if (f.tiers?.length) out.push({ key: 'cond.tiers', tiers: f.tiers.filter((t): t is Tier => (TIERS as readonly string[]).includes(t)) });
  if (f.minR) out.push({ key: 'cond.minR', n: f.minR });
  if (f.minF) out.push({ key: 'cond.minF', n: f.minF });
  if (f.minM) out.push({ key: 'cond.minM', n: f.minM });
  if (f.tags?.length) out.push({ key: 'cond.tags', values: f.tags });
  if (f.activeDays) out.push({ key: 'cond.activeDays', n: f.activeDays });
  if (f.inactiveDays) out.push({ key: 'cond.inactiveDays', n: f.inactiveDays });
  if (f.minVisits) out.push({ key: 'cond.minVisits', n: f.minVisits });
  return out;
}

/** API field errors of POST /v1/segments on the builder's fields. */
export function builderFieldOf(apiField: string): (string | number)[] | undefined {
  const map: Record<string, string> = {
    name: 'name',
    'filter.locationId': 'locationId',
    'filter.abc': 'abc',
    'filter.tiers': 'tiers',
    'filter.minR': 'minR',
    'filter.minF': 'minF',
    'filter.minM': 'minM',
    'filter.tags': 'tags',
    'filter.inactiveDays': 'days',
    'filter.activeDays': 'days',
    'filter.minVisits': 'minVisits',
  };
  return map[apiField] ? [map[apiField]] : undefined;
}

// ---- campaigns ----

/** The built-in templates a campaign may use: the marketing ones, needing no values. */
export const CAMPAIGN_TEMPLATES = ['win-back', 'birthday'] as const;

export interface CampaignForm {
  content: (typeof CAMPAIGN_TEMPLATES)[number] | 'own';
  messageZh?: string;
  messageEn?: string;
  subjectZh?: string;
  subjectEn?: string;
  when: 'now' | 'later';
  /** YYYY-MM-DD and HH:MM at the segment's location. */
  date?: string;
  time?: string;
  /** A voucher for each member beside the message: none, an amount off or a percentage off. */
  voucher?: 'none' | 'amount' | 'percent';
  /** In the programme's currency. */
  amountOff?: number | null;
  percentOff?: number | null;
  validDays?: number | null;
}

/** The voucher a campaign gives each member (shared/segment/voucher.go). */
export interface CampaignVoucher {
  rewardId?: string;
  value?: { amountOff?: number; currency?: string; percentOff?: number };
  validDays?: number;
  locationIds?: string[];
}

export interface CampaignRequest {
  campaignId: string;
  dueAt?: string;
  templateId?: string;
  message?: Record<string, string>;
  subject?: Record<string, string>;
  voucher?: CampaignVoucher;
}

/** What POST /v1/segments/{id}/campaigns answers. */
export interface Campaign extends CampaignRequest {
  scheduled: number;
  skipped: number;
  /** Vouchers this send issued: members who had the campaign's voucher are not counted again. */
  vouchersIssued: number;
}

/**
 * The instant the clocks at timeZone read date and time, as RFC 3339 UTC. A time the
 * clocks pass twice (falling back) is its first occurrence; a time they skip
 * (springing forward) is moved later by the gap, as Temporal's "compatible" does.
 */
export function zonedToUtc(date: string, time: string, timeZone: string): string {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!);
  const offsetAt = (instant: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(new Date(instant));
    const v = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    return Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute')) - instant;
  };
  // The offsets a day before and after: a change of the zone's clocks lies between.
  const day = 86_400_000;
  const before = offsetAt(wall - day);
  const after = offsetAt(wall + day);
  const valid = [wall - before, wall - after].filter((at) => wall - offsetAt(at) === at);
  const at = valid.length > 0 ? Math.min(...valid) : wall - before;
  return new Date(at).toISOString().replace('.000Z', 'Z');
}

const nonEmpty = (entries: [string, string | undefined][]) => {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) if (v && v.trim() !== '') out[k] = v.trim();
  return Object.keys(out).length > 0 ? out : undefined;
};

/**
 * The campaign's body; campaignId is kept for the whole form so a retry sends once (and
 * issues each member's voucher once). An amount off is in currency, the programme's.
 */
export function toCampaign(f: CampaignForm, campaignId: string, timeZone: string, currency = ''): CampaignRequest {
  const out: CampaignRequest = { campaignId };
  if (f.when === 'later' && f.date && f.time) out.dueAt = zonedToUtc(f.date, f.time, timeZone);
  if (f.content === 'own') {
    const message = nonEmpty([
      ['zh-CN', f.messageZh],
      ['en', f.messageEn],
    ]);
    const subject = nonEmpty([
      ['zh-CN', f.subjectZh],
      ['en', f.subjectEn],
    ]);
    if (message) out.message = message;
    if (subject) out.subject = subject;
  } else {
    out.templateId = f.content;
  }
  const days = f.validDays ?? 0;
  if (f.voucher === 'amount') {
    out.voucher = { value: { amountOff: f.amountOff ?? 0, currency }, validDays: days };
  } else if (f.voucher === 'percent') {
    out.voucher = { value: { percentOff: f.percentOff ?? 0 }, validDays: days };
  }
  return out;
}

/** The campaign form's field an API field error belongs on, or undefined for one it has no input for. */
export function campaignFieldOf(apiField: string): string[] | undefined {
  const map: Record<string, string> = {
    message: 'messageEn',
    templateId: 'content',
    'voucher.value.amountOff': 'amountOff',
    'voucher.value.currency': 'amountOff',
    voucher: 'voucher',
    'voucher.value.percentOff': 'percentOff',
    'voucher.validDays': 'validDays',
  };
  if (map[apiField]) return [map[apiField]];
  if (apiField.startsWith('message.')) return ['messageEn'];
  if (apiField.startsWith('subject.')) return ['subjectEn'];
  return undefined;
}
