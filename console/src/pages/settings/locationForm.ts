import type { components } from '../../api/schema';

/**
 * The location form's values and their mapping to and from the API's Location
 * (shared/customer/location.go): weekly hours with split shifts, holidays, quiet
 * hours, managers and branding. Pure functions, so that the mapping is tested apart
 * from the form.
 */

/** A location as the API serves it, with the fields the OpenAPI schema leaves open. */
export type StoredLocation = components['schemas']['Location'] & {
  code?: string;
  postServiceSurvey?: { surveyId: string; delayMinutes: number; expiresInHours: number };
};

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CHANNELS = ['email', 'sms', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Shift {
  start: string;
  end: string;
}

export interface ManagerRow {
  name?: string;
  channel: Channel;
  address: string;
  locale?: 'zh-CN' | 'en';
}

export interface LocationFormValues {
  locationId: string;
  name: string;
  code: string;
  timeZone: string;
  /** ISO 4217 code the location's money is shown in; empty: each amount's own. */
  currency: string;
  hours: Record<Weekday, Shift[]>;
  /** Closed dates, YYYY-MM-DD in the location's zone. */
  holidays: string[];
  /** Quiet hours: no message to customers from quietFrom to quietTo (equal: none). */
  quietFrom: string;
  quietTo: string;
  managers: ManagerRow[];
  brandName: string;
  color: string;
  logoUrl: string;
  footerText: string;
}

export const DEFAULT_QUIET = '21:00-09:00';

/** HH:MM, 00:00 to 23:59. */
export const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
/** An interval's end may also be 24:00 (midnight, the end of the day). */
const END = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** The form's values for a location (or for a new one). */
export function toForm(l?: StoredLocation): LocationFormValues {
  const hours = Object.fromEntries(
    WEEKDAYS.map((d) => [
      d,
      (l?.weeklyHours?.[d] ?? []).map((iv) => {
        const [start = '', end = ''] = iv.split('-');
        return { start, end };
      }),
    ]),
  ) as Record<Weekday, Shift[]>;
  const [quietFrom = '21:00', quietTo = '09:00'] = (l?.quietHours || DEFAULT_QUIET).split('-');
  return {
    locationId: l?.locationId ?? '',
    name: l?.name ?? '',
    code: l?.code ?? '',
    timeZone: l?.timeZone ?? '',
    currency: l?.currency ?? '',
    hours,
    holidays: [...(l?.holidays ?? [])].sort(),
    quietFrom,
    quietTo,
    managers: (l?.managers ?? []).map((m) => ({
      name: m.name,
      channel: (CHANNELS as readonly string[]).includes(m.channel ?? '') ? (m.channel as Channel) : 'email',
      address: m.address ?? '',
      locale: m.locale === 'zh-CN' || m.locale === 'en' ? m.locale : undefined,
    })),
    brandName: l?.branding?.name ?? '',
    color: l?.branding?.color ?? '',
    logoUrl: l?.branding?.logoUrl ?? '',
    footerText: l?.branding?.footerText ?? '',
  };
}

const trimmed = (s: string | undefined) => (s ?? '').trim();

/**
 * The Location to send: the form's fields over the location as it was read, so that
 * what the form does not edit (the post-service survey) stays as it is. Shifts go
 * sorted by start, as the API wants them; a day without shifts is closed (left out).
 */
export function toLocation(v: LocationFormValues, original?: StoredLocation): StoredLocation {
  const weeklyHours: Record<string, string[]> = {};
  for (const d of WEEKDAYS) {
    const shifts = (v.hours[d] ?? []).filter((s) => trimmed(s.start) !== '' || trimmed(s.end) !== '');
    if (shifts.length > 0) {
      weeklyHours[d] = [...shifts]
        .sort((a, b) => minutes(a.start) - minutes(b.start))
        .map((s) => `${trimmed(s.start)}-${trimmed(s.end)}`);
    }
  }
  const branding: NonNullable<StoredLocation['branding']> = {};
  if (trimmed(v.brandName)) branding.name = trimmed(v.brandName);
  if (trimmed(v.color)) branding.color = trimmed(v.color);
  if (trimmed(v.logoUrl)) branding.logoUrl = trimmed(v.logoUrl);
  if (trimmed(v.footerText)) branding.footerText = trimmed(v.footerText);
  const out: StoredLocation = {
    ...original,
    locationId: original?.locationId ?? trimmed(v.locationId),
    name: trimmed(v.name),
    timeZone: v.timeZone,
    weeklyHours,
    holidays: [...new Set(v.holidays)].sort(),
    quietHours: `${trimmed(v.quietFrom)}-${trimmed(v.quietTo)}`,
    managers: (v.managers ?? []).map((m) => ({
      ...(trimmed(m.name) ? { name: trimmed(m.name) } : {}),
      channel: m.channel,
      address: trimmed(m.address),
      ...(m.locale ? { locale: m.locale } : {}),
    })),
    branding,
  };
  if (trimmed(v.code)) out.code = trimmed(v.code).toUpperCase();
  else delete out.code;
  if (trimmed(v.currency)) out.currency = trimmed(v.currency).toUpperCase();
  else delete out.currency;
  delete out.updatedAt;
  return out;
}

/** What is wrong with a day's shifts, as a message key; undefined when they are fine. */
export type ShiftProblem = 'shift.format' | 'shift.endBeforeStart' | 'shift.overlap';

export function checkShifts(shifts: readonly Shift[]): ShiftProblem | undefined {
  const filled = shifts.filter((s) => trimmed(s.start) !== '' || trimmed(s.end) !== '');
  for (const s of filled) {
    if (!TIME.test(trimmed(s.start)) || !END.test(trimmed(s.end))) return 'shift.format';
    if (minutes(trimmed(s.end)) <= minutes(trimmed(s.start))) return 'shift.endBeforeStart';
  }
  const sorted = [...filled].sort((a, b) => minutes(a.start) - minutes(b.start));
  for (let i = 1; i < sorted.length; i++) {
    if (minutes(sorted[i]!.start) < minutes(sorted[i - 1]!.end)) return 'shift.overlap';
  }
  return undefined;
}

/**
 * The form field an API field error belongs on (the problem's errors[].field), or
 * undefined for one the form has no input for (shown above the form instead).
 */
export function locationFieldOf(apiField: string): (string | number)[] | undefined {
  const direct: Record<string, (string | number)[]> = {
    locationId: ['locationId'],
    name: ['name'],
    code: ['code'],
    timeZone: ['timeZone'],
    currency: ['currency'],
    quietHours: ['quietFrom'],
    'branding.color': ['color'],
    'branding.logoUrl': ['logoUrl'],
  };
  if (direct[apiField]) return direct[apiField];
  let m = /^weeklyHours\.(\w+)$/.exec(apiField);
  if (m && (WEEKDAYS as readonly string[]).includes(m[1]!)) return ['hours', m[1]!];
  if (/^holidays(\[\d+\])?$/.test(apiField)) return ['holidays'];
  m = /^managers\[(\d+)\](\.(\w+))?$/.exec(apiField);
  if (m) return ['managers', Number(m[1]), m[3] === 'locale' ? 'locale' : 'address'];
  return undefined;
}
