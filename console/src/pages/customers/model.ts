import type { components } from '../../api/schema';

/**
 * The customers area's data and the pure logic of its pages: what a search query is,
 * what an edit of a profile sends, and how a timeline item is read.
 */

export type StoredProfile = components['schemas']['StoredProfile'];

/**
 * What the value job last computed for a customer (shared/customer/value_store.go):
 * served in the profile as `value`, which the OpenAPI document does not describe yet.
 */
export interface CustomerValue {
  rfm: { r: number; f: number; m: number };
  abc: string;
  tier: 'vip' | 'key' | 'potential' | 'regular' | string;
  clv: { averagePurchase: number; purchasesPerYear: number; lifetimeYears: number; value: number };
  satisfaction?: string;
  wordOfMouth: number;
  computedAt: string;
}

/** A profile as GET /v1/customers/{id} serves it, with its value figures. */
export type Customer = StoredProfile & { value?: CustomerValue; createdAt?: string; updatedAt?: string; servedAt?: string[] };

/**
 * The loyalty rules the pages need (GET /v1/settings/loyalty, shared/loyalty/rules.go):
 * the programme's currency and its tiers, ascending by threshold. The OpenAPI document
 * gives the rules as a bare object.
 */
export interface LoyaltyRules {
  currency: string;
  tiers: { name: string; threshold: number }[];
}

/**
 * The currency money is shown in: the location's own (Location.currency), else the
 * programme's (the currency points are earned in).
 */
export function currencyOf(location: { currency?: string } | undefined, rules: LoyaltyRules | undefined): string | undefined {
  return location?.currency || rules?.currency;
}

export function asRules(raw: unknown): LoyaltyRules {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<LoyaltyRules>;
  return {
    currency: typeof o.currency === 'string' && o.currency !== '' ? o.currency : 'CNY',
    tiers: Array.isArray(o.tiers) ? o.tiers.filter((t) => typeof t?.name === 'string' && typeof t?.threshold === 'number') : [],
  };
}

/** What kind of search a query is, as the API reads it (shared/customer/search.go). */
export type QueryKind = 'empty' | 'email' | 'phone' | 'name';

/** Mirrors the API's phone normalisation closely enough to tell a phone from a name. */
export function queryKind(q: string): QueryKind {
  const s = q.trim();
  if (s === '') return 'empty';
  if (s.includes('@')) return 'email';
  if (/^\+?[\d\s\-.()/]+$/.test(s)) {
    const digits = s.replace(/\D/g, '');
    if (digits.length >= 8 && digits.length <= 15) return 'phone';
  }
  return 'name';
}

/**
 * The search's parameters: a phone, an email or an id is found anywhere the person
 * sees; a name only within one location, so a name search without a picked location
 * is not sent (the page asks for a location instead).
 */
export function searchParams(q: string, locationId: string | undefined): { q: string; locationId?: string } | 'needsLocation' | 'empty' {
  const kind = queryKind(q);
  if (kind === 'empty') return locationId ? { q: '', locationId } : 'empty';
  if (kind === 'name' && !locationId && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(q.trim())) return 'needsLocation';
  return locationId ? { q: q.trim(), locationId } : { q: q.trim() };
}

/** The editable part of a profile, as the edit form holds it. */
export interface ProfileForm {
  name: string;
  phone: string;
  email: string;
  birthday: string;
  locale: '' | 'zh-CN' | 'en';
  timeZone: string;
  locationId: string;
  tags: string[];
}

export function profileForm(p: Customer): ProfileForm {
  return {
    name: p.name ?? '',
    phone: p.phone ?? '',
    email: p.email ?? '',
    birthday: p.birthday ?? '',
    locale: p.locale ?? '',
    timeZone: p.timeZone ?? '',
    locationId: p.locationId ?? '',
    tags: p.tags ?? [],
  };
}

export type ProfilePatch = Partial<Omit<ProfileForm, 'locale'>> & { locale?: 'zh-CN' | 'en'; version: number };

/**
 * The PATCH body for an edit: only the fields that changed (trimmed; an emptied field
 * is sent as "" to clear it, except the language, which the API takes only as zh-CN or
 * en), with the version read so that a change made meanwhile is a 409 rather than
 * overwritten. Undefined when nothing changed.
 */
export function profilePatch(before: Customer, form: ProfileForm): ProfilePatch | undefined {
  const was = profileForm(before);
  const patch: ProfilePatch = { version: before.version };
  let changed = false;
  for (const k of ['name', 'phone', 'email', 'birthday', 'timeZone', 'locationId'] as const) {
    const v = (form[k] ?? '').trim();
    if (v !== was[k]) {
      patch[k] = v;
      changed = true;
    }
  }
  if (form.locale && form.locale !== was.locale) {
    patch.locale = form.locale;
    changed = true;
  }
  const tags = [...new Set(form.tags.map((t) => t.trim()).filter((t) => t !== ''))];
  if (tags.join('\u0000') !== was.tags.join('\u0000')) {
    patch.tags = tags;
    changed = true;
  }
  return changed ? patch : undefined;
}

/** Where a member stands between their tier and the next, for a progress bar. */
export function tierProgress(
  tiers: LoyaltyRules['tiers'],
  tier: string,
  earned12m: number,
  next?: { tier?: string; pointsNeeded?: number },
): { percent: number; next?: string; needed: number } {
  if (!next?.tier) return { percent: 100, needed: 0 };
  const from = tiers.find((t) => t.name === tier)?.threshold ?? 0;
  const to = tiers.find((t) => t.name === next.tier)?.threshold ?? earned12m + (next.pointsNeeded ?? 0);
  const needed = next.pointsNeeded ?? Math.max(0, to - earned12m);
  const span = to - from;
  const percent = span > 0 ? Math.min(100, Math.max(0, Math.floor(((earned12m - from) / span) * 100))) : 0;
  return { percent, next: next.tier, needed };
}

/** A timeline item (GET /v1/customers/{id}/timeline); details by type. */
export interface TimelineItem {
  at: string;
  type: 'visit' | 'points' | 'followup' | 'complaint' | 'survey';
  id: string;
  locationId?: string;
  details?: Record<string, unknown>;
}

export const TIMELINE_TYPES = ['visit', 'points', 'followup', 'complaint', 'survey'] as const;

/** The items of one type, or all of them. */
export function filterTimeline(items: readonly TimelineItem[], type: TimelineItem['type'] | 'all'): TimelineItem[] {
  return type === 'all' ? [...items] : items.filter((i) => i.type === type);
}

/** A detail of a timeline item as text, or undefined. */
export function detail(item: TimelineItem, key: string): string | undefined {
  const v = item.details?.[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** The name to save an export under: the customer's id and the day, no personal data. */
export function exportFileName(customerId: string, day: string): string {
  return `rapport-export-${customerId.replace(/[^A-Za-z0-9._-]/g, '_')}-${day}.json`;
}

/** Whether what a person typed to confirm an erasure matches: the name, else the id. */
export function confirmsErase(p: Pick<Customer, 'name' | 'customerId'>, typed: string): boolean {
  const want = (p.name ?? '').trim() || p.customerId;
  return typed.trim().replace(/\s+/g, ' ').toLowerCase() === want.replace(/\s+/g, ' ').toLowerCase();
}
