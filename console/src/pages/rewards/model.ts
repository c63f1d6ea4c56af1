import type { components } from '../../api/schema';
import type { FieldPath } from '../settings/apiErrors';

/**
 * The reward form's values and their mapping to and from the API's Reward
 * (shared/reward/reward.go): pure functions, so the mapping is tested apart from the form.
 */

export type Reward = components['schemas']['Reward'];
export type RewardInput = components['schemas']['RewardInput'];
export type Offer = components['schemas']['Offer'];

export interface RewardFormValues {
  rewardId: string;
  nameZh: string;
  nameEn: string;
  pointsCost?: number;
  kind: 'voucher' | 'gift';
  /** A voucher's value: an amount off in a currency, or a percentage off. */
  valueType: 'amount' | 'percent';
  amountOff?: number;
  currency: string;
  percentOff?: number;
  /** Empty (undefined or null): no limit. */
  stock?: number | null;
  validDays?: number;
  /** Empty: every location. */
  locations: string[];
  /** Empty: every member. */
  tiers: string[];
  active: boolean;
}

/** A reward id made from its English name: "Afternoon tea for two" → "afternoon-tea-for-two". */
export function idFromName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** The form's values for a reward (or a new one, in the programme's currency). */
export function toRewardForm(r?: Reward, currency = ''): RewardFormValues {
  return {
    rewardId: r?.rewardId ?? '',
    nameZh: r?.name['zh-CN'] ?? '',
    nameEn: r?.name.en ?? '',
    pointsCost: r?.pointsCost,
    kind: r?.kind ?? 'voucher',
    valueType: r?.value.percentOff ? 'percent' : 'amount',
    amountOff: r?.value.amountOff,
    currency: r?.value.currency ?? currency,
    percentOff: r?.value.percentOff,
    stock: r?.stock ?? null,
    validDays: r?.validDays ?? 30,
    locations: r?.locations ?? [],
    tiers: r?.tiers ?? [],
    active: r?.active ?? true,
  };
}

/**
 * The RewardInput to send: the whole reward (a PUT replaces it), at the version read
 * when editing. A gift has no value; a voucher has an amount with its currency or a
 * percentage, never both; an empty stock is no limit.
 */
export function toRewardInput(v: RewardFormValues, original?: Reward): RewardInput {
  const value: components['schemas']['VoucherValue'] =
    v.kind === 'gift'
      ? {}
      : v.valueType === 'amount'
        ? { amountOff: v.amountOff, currency: v.currency.trim().toUpperCase() }
        : { percentOff: v.percentOff };
  const out: RewardInput = {
    rewardId: original?.rewardId ?? v.rewardId.trim(),
    name: { 'zh-CN': v.nameZh.trim(), en: v.nameEn.trim() },
    pointsCost: v.pointsCost ?? 0,
    kind: v.kind,
    value,
    validDays: v.validDays ?? 0,
    active: v.active,
  };
  if (v.stock !== undefined && v.stock !== null) out.stock = v.stock;
  if (v.locations.length > 0) out.locations = [...v.locations];
  if (v.tiers.length > 0) out.tiers = [...v.tiers];
  if (original) out.version = original.version;
  return out;
}

/** The form field an API field error belongs on (errors[].field), or undefined for one it has no input for. */
export function rewardFieldOf(apiField: string): FieldPath | undefined {
  const direct: Record<string, FieldPath> = {
    rewardId: ['rewardId'],
    'name.zh-CN': ['nameZh'],
    'name.en': ['nameEn'],
    pointsCost: ['pointsCost'],
    kind: ['kind'],
    value: ['kind'],
    'value.amountOff': ['amountOff'],
    'value.currency': ['currency'],
    'value.percentOff': ['percentOff'],
    stock: ['stock'],
    validDays: ['validDays'],
  };
  if (direct[apiField]) return direct[apiField];
  if (/^locations(\[\d+\])?$/.test(apiField)) return ['locations'];
  if (/^tiers(\[\d+\])?$/.test(apiField)) return ['tiers'];
  return undefined;
}

/** A reward's or voucher's name in the locale, else in the other one. */
export function nameIn(name: { 'zh-CN': string; en: string } | undefined, locale: 'zh-CN' | 'en'): string {
  if (!name) return '';
  return name[locale] || name[locale === 'en' ? 'zh-CN' : 'en'] || '';
}
