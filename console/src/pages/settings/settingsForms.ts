import type { components } from '../../api/schema';
import { dottedPath, type FieldPath } from './apiErrors';

/**
 * The complaint, loyalty and value settings documents (shared/complaint/settings.go,
 * shared/loyalty/rules.go, shared/customer/value_store.go) and the mapping between
 * each and the fields its form edits. What a form does not edit goes back as read.
 */

// ---- complaints ----

export type ComplaintSettings = components['schemas']['ComplaintSettings'] & { updatedAt?: string; updatedBy?: string };

export const SEVERITIES = ['low', 'normal', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const NOTIFY = ['assignee', 'managers', 'head_office'] as const;

export interface ComplaintForm {
  categories: string[];
  rootCauses: string[];
  policies: Record<Severity, { acknowledgeMinutes: number; resolveMinutes: number }>;
  /** Each step's share of the target in percent (80 = 80%). */
  ladder: { percent: number; notify: string }[];
  reopenWindowDays: number;
  callbackAfterDays: number;
}

export function complaintToForm(s: ComplaintSettings): ComplaintForm {
  const policies = Object.fromEntries(
    SEVERITIES.map((sev) => [sev, { acknowledgeMinutes: s.policies?.[sev]?.acknowledgeMinutes ?? 0, resolveMinutes: s.policies?.[sev]?.resolveMinutes ?? 0 }]),
  ) as ComplaintForm['policies'];
  return {
    categories: s.categories ?? [],
    rootCauses: s.rootCauses ?? [],
    policies,
    ladder: (s.ladder ?? []).map((st) => ({ percent: Math.round((st.at ?? 0) * 1000) / 10, notify: st.notify ?? 'assignee' })),
    reopenWindowDays: s.reopenWindowDays ?? 0,
    callbackAfterDays: s.callbackAfterDays ?? 0,
  };
}

export function complaintFromForm(v: ComplaintForm, read: ComplaintSettings): ComplaintSettings {
  const trimmedList = (xs: string[] | undefined) => [...new Set((xs ?? []).map((x) => x.trim()).filter((x) => x !== ''))];
  return {
    ...read,
    categories: trimmedList(v.categories),
    rootCauses: trimmedList(v.rootCauses),
    policies: { ...read.policies, ...v.policies },
    ladder: (v.ladder ?? []).map((st) => ({ at: Math.round(Number(st.percent) * 10) / 1000, notify: st.notify as 'assignee' | 'managers' | 'head_office' })),
    reopenWindowDays: Number(v.reopenWindowDays ?? 0),
    callbackAfterDays: Number(v.callbackAfterDays ?? 0),
  };
}

/** categories[3] is an entry of the categories field; ladder[0].at its percent input. */
export function complaintFieldOf(apiField: string): FieldPath | undefined {
  const m = /^(categories|rootCauses)(\[\d+\])?$/.exec(apiField);
  if (m) return [m[1]!];
  const step = /^ladder\[(\d+)\]\.(at|notify)$/.exec(apiField);
  if (step) return ['ladder', Number(step[1]), step[2] === 'at' ? 'percent' : 'notify'];
  if (apiField === 'ladder') return ['ladder'];
  if (/^policies\.\w+\.(acknowledgeMinutes|resolveMinutes)$/.test(apiField) || /^(reopenWindowDays|callbackAfterDays)$/.test(apiField)) {
    return dottedPath(apiField);
  }
  return undefined;
}

// ---- loyalty ----

export interface LoyaltyRules {
  currency: string;
  pointsPerUnit: number;
  locationMultipliers?: Record<string, number>;
  tierMultipliers?: Record<string, number>;
  promotions?: unknown[];
  capPerTransaction: number;
  pendingDays: number;
  expiryMonths: number;
  reminderDays: number;
  tiers: { name: string; threshold: number }[];
  graceDays: number;
  referral: { referrerBonus: number; refereeBonus: number; qualifyingAmount: number; maxPerYear: number };
  birthdayBonus: number;
  /** The voucher each member gets on their birthday, once a year; absent: none. */
  birthdayVoucher?: { value: { amountOff?: number; currency?: string; percentOff?: number }; validDays: number };
  version?: number;
  updatedAt?: string;
  updatedBy?: string;
}

export type LoyaltyForm = Pick<
  LoyaltyRules,
  'currency' | 'pointsPerUnit' | 'capPerTransaction' | 'pendingDays' | 'expiryMonths' | 'reminderDays' | 'graceDays' | 'birthdayBonus' | 'referral' | 'tiers'
> & {
  /** The birthday voucher: none, an amount off (in the programme's currency) or a percentage off. */
  birthdayVoucherKind: 'none' | 'amount' | 'percent';
  birthdayVoucher: { value: { amountOff?: number | null; percentOff?: number | null }; validDays?: number | null };
};

export function loyaltyToForm(r: LoyaltyRules): LoyaltyForm {
  return {
    currency: r.currency,
    pointsPerUnit: r.pointsPerUnit,
    capPerTransaction: r.capPerTransaction,
    pendingDays: r.pendingDays,
    expiryMonths: r.expiryMonths,
    reminderDays: r.reminderDays,
    graceDays: r.graceDays,
    birthdayBonus: r.birthdayBonus,
    birthdayVoucherKind: !r.birthdayVoucher ? 'none' : r.birthdayVoucher.value.percentOff ? 'percent' : 'amount',
    birthdayVoucher: {
      value: { amountOff: r.birthdayVoucher?.value.amountOff, percentOff: r.birthdayVoucher?.value.percentOff },
      validDays: r.birthdayVoucher?.validDays ?? 30,
    },
    referral: { ...r.referral },
    tiers: (r.tiers ?? []).map((t) => ({ ...t })),
  };
}

const num = (x: unknown) => (x === null || x === undefined || x === '' ? 0 : Number(x));

/** The birthday voucher the form says, an amount in the programme's currency; undefined: none. */
function birthdayVoucherOf(v: LoyaltyForm, currency: string): LoyaltyRules['birthdayVoucher'] {
  const validDays = num(v.birthdayVoucher?.validDays);
  if (v.birthdayVoucherKind === 'amount') return { value: { amountOff: num(v.birthdayVoucher?.value?.amountOff), currency }, validDays };
  if (v.birthdayVoucherKind === 'percent') return { value: { percentOff: num(v.birthdayVoucher?.value?.percentOff) }, validDays };
  return undefined;
}

export function loyaltyFromForm(v: LoyaltyForm, read: LoyaltyRules): LoyaltyRules {
  const currency = (v.currency ?? '').trim().toUpperCase();
  return {
    ...read,
    currency,
    pointsPerUnit: num(v.pointsPerUnit),
    capPerTransaction: num(v.capPerTransaction),
    pendingDays: num(v.pendingDays),
    expiryMonths: num(v.expiryMonths),
    reminderDays: num(v.reminderDays),
    graceDays: num(v.graceDays),
    birthdayBonus: num(v.birthdayBonus),
    referral: {
      referrerBonus: num(v.referral?.referrerBonus),
      refereeBonus: num(v.referral?.refereeBonus),
      qualifyingAmount: num(v.referral?.qualifyingAmount),
      maxPerYear: num(v.referral?.maxPerYear),
    },
    tiers: (v.tiers ?? []).map((t) => ({ name: (t.name ?? '').trim(), threshold: num(t.threshold) })),
    birthdayVoucher: birthdayVoucherOf(v, currency),
  };
}

// ---- value ----

export interface ValueSettings {
  rfm: { method?: string; recencyDays?: number[]; frequency?: number[]; monetary?: number[] };
  abc: { aShare?: number; bShare?: number; minR?: number; minF?: number };
  clv: { lifetimeYears?: number; margin?: number; discountRate?: number };
  wordOfMouth: { promoterTells?: number; detractorTells?: number; conversionRate?: number; lossRate?: number };
  winBack: { days: number; periodDays: number; locations?: Record<string, number> };
  version?: number;
  updatedAt?: string;
  updatedBy?: string;
}

/** Numbers left empty take the API's defaults (sent as 0, which means "default" there). */
type Maybe = number | null | undefined;

export interface ValueForm {
  rfm: { method: 'quintiles' | 'thresholds'; recencyDays: Maybe[]; frequency: Maybe[]; monetary: Maybe[] };
  abc: { aShare: Maybe; bShare: Maybe; minR: Maybe; minF: Maybe };
  clv: { lifetimeYears: Maybe; margin: Maybe; discountRate: Maybe };
  wordOfMouth: { promoterTells: Maybe; detractorTells: Maybe; conversionRate: Maybe; lossRate: Maybe };
  winBack: { days: number; periodDays: number; locations: { locationId: string; days: number }[] };
}

const four = (xs: number[] | undefined): Maybe[] => [0, 1, 2, 3].map((i) => xs?.[i] ?? null);
/** 0 is the API's "take the default": shown as empty. */
const orEmpty = (x: number | undefined): Maybe => (x ? x : null);

export function valueToForm(v: ValueSettings): ValueForm {
  return {
    rfm: {
      method: v.rfm?.method === 'thresholds' ? 'thresholds' : 'quintiles',
      recencyDays: four(v.rfm?.recencyDays),
      frequency: four(v.rfm?.frequency),
      monetary: four(v.rfm?.monetary),
    },
    abc: { aShare: orEmpty(v.abc?.aShare), bShare: orEmpty(v.abc?.bShare), minR: orEmpty(v.abc?.minR), minF: orEmpty(v.abc?.minF) },
    clv: { lifetimeYears: orEmpty(v.clv?.lifetimeYears), margin: orEmpty(v.clv?.margin), discountRate: orEmpty(v.clv?.discountRate) },
    wordOfMouth: {
      promoterTells: orEmpty(v.wordOfMouth?.promoterTells),
      detractorTells: orEmpty(v.wordOfMouth?.detractorTells),
      conversionRate: orEmpty(v.wordOfMouth?.conversionRate),
      lossRate: orEmpty(v.wordOfMouth?.lossRate),
    },
    winBack: {
      days: v.winBack?.days ?? 0,
      periodDays: v.winBack?.periodDays ?? 0,
      locations: Object.entries(v.winBack?.locations ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([locationId, days]) => ({ locationId, days })),
    },
  };
}

/** A threshold list: all four filled, or none (left out). */
function thresholds(xs: Maybe[] | undefined): number[] | undefined {
  const filled = (xs ?? []).filter((x): x is number => x !== null && x !== undefined);
  return filled.length === 0 ? undefined : (xs ?? []).map((x) => num(x));
}

export function valueFromForm(f: ValueForm, read: ValueSettings): ValueSettings {
  const rfm: ValueSettings['rfm'] = { method: f.rfm.method };
  const r = thresholds(f.rfm.recencyDays);
  const fr = thresholds(f.rfm.frequency);
  const mo = thresholds(f.rfm.monetary);
  if (r) rfm.recencyDays = r;
  if (fr) rfm.frequency = fr;
  if (mo) rfm.monetary = mo;
  const locations: Record<string, number> = {};
  for (const l of f.winBack.locations ?? []) {
    if (l.locationId) locations[l.locationId] = num(l.days);
  }
  return {
    ...read,
    rfm,
    abc: { aShare: num(f.abc.aShare), bShare: num(f.abc.bShare), minR: num(f.abc.minR), minF: num(f.abc.minF) },
    clv: { lifetimeYears: num(f.clv.lifetimeYears), margin: num(f.clv.margin), discountRate: num(f.clv.discountRate) },
    wordOfMouth: {
      promoterTells: num(f.wordOfMouth.promoterTells),
      detractorTells: num(f.wordOfMouth.detractorTells),
      conversionRate: num(f.wordOfMouth.conversionRate),
      lossRate: num(f.wordOfMouth.lossRate),
    },
    winBack: { days: num(f.winBack.days), periodDays: num(f.winBack.periodDays), ...(Object.keys(locations).length > 0 ? { locations } : {}) },
  };
}

/** winBack.locations.loc-1 is that location's row; rfm.recencyDays its four inputs' group. */
export function valueFieldOf(apiField: string, form?: ValueForm): FieldPath | undefined {
  const loc = /^winBack\.locations\.(.+)$/.exec(apiField);
  if (loc) {
    const i = form?.winBack.locations.findIndex((l) => l.locationId === loc[1]) ?? -1;
    return i >= 0 ? ['winBack', 'locations', i, 'days'] : undefined;
  }
  const list = /^rfm\.(recencyDays|frequency|monetary)$/.exec(apiField);
  if (list) return ['rfm', list[1]!, 0];
  return dottedPath(apiField);
}
