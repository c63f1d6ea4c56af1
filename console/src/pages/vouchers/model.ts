import { ApiError } from '../../api/error';
import type { components } from '../../api/schema';
import { billSourceId } from '../counter/model';

/**
 * Vouchers' pure logic: reading a code as typed or scanned, what a redeem sends, and
 * the API's refusals (their reason and facts, shared/reward and shared/rewarding)
 * turned into message keys and their data, so that a page says them in its language.
 */

export type Voucher = components['schemas']['Voucher'];
export type VoucherValue = components['schemas']['VoucherValue'];
export type VoucherStatus = Voucher['status'];
export type Figures = components['schemas']['VoucherFigures'];

/** Crockford's base32 as people write it: any case, O for 0, I or L for 1 (no U). */
const SYMBOL = '[0-9A-HJKMNP-TV-Za-hjkmnp-tv-zOoIiLl]';
const PRINTED = new RegExp(`${SYMBOL}{4}[- ]?${SYMBOL}{4}[- ]?${SYMBOL}{4}[- ]?${SYMBOL}{4}`);
const CODE = new RegExp(`^${SYMBOL}{16}$`);

/**
 * The code in a typed or scanned text, upper-cased and without dashes or spaces. A
 * link (a scanned QR may hold one) gives the first run of 16 symbols in it; anything
 * else is taken whole, so that a symbol typed too many is not silently dropped (the
 * API says what is wrong with a code, as a 400).
 */
export function codeFrom(text: string): string {
  if (text.includes('/')) {
    const m = PRINTED.exec(text);
    if (m) return m[0].replace(/[- ]/g, '').toUpperCase();
  }
  return text.replace(/[-\s]/g, '').toUpperCase();
}

/** Whether text holds a code's 16 symbols: worth asking the API about. */
export function looksLikeCode(text: string): boolean {
  return CODE.test(codeFrom(text));
}

/** What a redeem sends: the bill (as the counter names it, so earn and redeem agree) and the till's location. */
export function redeemBody(bill: string, locationId: string): { sourceId: string; locationId: string } {
  return { sourceId: billSourceId(bill), locationId };
}

/** A take's sourceId: a fresh one for each press of the button (a retry of that press replays it). */
export function takeSourceId(generate: () => string = () => crypto.randomUUID()): string {
  return `take:${generate()}`;
}

/**
 * Why a member may not take a reward (the catalogue's whyReason, or a take's 409), as
 * a message key and its data, from the API's reason and facts (shared/reward's
 * Reward.Offered, shared/loyalty's refused spend). A reason this console does not know
 * yet is shown in the API's words.
 */
export type Why =
  | { key: 'why.inactive' }
  | { key: 'why.tier'; tiers: string }
  | { key: 'why.location' }
  | { key: 'why.stock' }
  | { key: 'why.points'; available: number; needed: number }
  | { key: 'why.other'; detail: string };

type Facts = Record<string, unknown> | undefined;

function numFact(f: Facts, k: string): number | undefined {
  const v = f?.[k];
  return typeof v === 'number' ? v : undefined;
}

function strFact(f: Facts, k: string): string {
  const v = f?.[k];
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string').join(', ');
  return typeof v === 'string' ? v : '';
}

export function whyOf(reason: string | undefined, facts: Facts, text = ''): Why {
  switch (reason) {
    case 'reward-withdrawn':
      return { key: 'why.inactive' };
    case 'reward-tier':
      return { key: 'why.tier', tiers: strFact(facts, 'tiers') };
    case 'reward-location':
      return { key: 'why.location' };
    case 'reward-out-of-stock':
      return { key: 'why.stock' };
    case 'points-short': {
      const available = numFact(facts, 'available');
      const needed = numFact(facts, 'needed');
      if (available !== undefined && needed !== undefined) return { key: 'why.points', available, needed };
    }
  }
  return { key: 'why.other', detail: text };
}

/** The why of a refused take (a 409 with a reason), else undefined. */
export function takeRefusal(e: unknown): Why | undefined {
  if (!(e instanceof ApiError) || e.status !== 409 || !e.reason) return undefined;
  const w = whyOf(e.reason, e.facts, e.detail);
  return w.key === 'why.other' ? undefined : w;
}

/**
 * A refused redeem, reverse or cancel in words (shared/reward/store.go): which refusal,
 * from the API's reason, with its facts. Undefined for any other failure, which
 * ErrorView says.
 */
export type Refusal =
  | { key: 'refused.redeemed'; at: string; locationId: string }
  | { key: 'refused.cancelled' }
  | { key: 'refused.expired'; at: string }
  | { key: 'refused.location'; where: string }
  | { key: 'refused.reversedOnce' }
  | { key: 'refused.notRedeemed' }
  | { key: 'refused.otherBill'; bill: string }
  | { key: 'refused.notIssued'; status: string };

export function voucherRefusal(e: unknown): Refusal | undefined {
  if (!(e instanceof ApiError) || (e.status !== 409 && e.status !== 410)) return undefined;
  const f = e.facts;
  switch (e.reason) {
    case 'voucher-redeemed':
      return { key: 'refused.redeemed', at: strFact(f, 'redeemedAt'), locationId: strFact(f, 'locationId') };
    case 'voucher-cancelled':
      return { key: 'refused.cancelled' };
    case 'voucher-expired':
      return { key: 'refused.expired', at: strFact(f, 'expiredAt') };
    case 'voucher-elsewhere':
      return { key: 'refused.location', where: strFact(f, 'locationIds') };
    case 'voucher-reversed-once':
      return { key: 'refused.reversedOnce' };
    case 'voucher-not-redeemed':
      return { key: 'refused.notRedeemed' };
    case 'voucher-other-bill':
      return { key: 'refused.otherBill', bill: strFact(f, 'sourceId') };
    case 'voucher-not-issued':
      return { key: 'refused.notIssued', status: strFact(f, 'status') };
  }
  return undefined;
}

/** A bill's number as a person reads it: the sourceId the counter made of it, without "bill:". */
export function billOf(sourceId: string | undefined): string {
  return (sourceId ?? '').replace(/^bill:/, '');
}

/** Whether the browser can read a QR code from a camera (BarcodeDetector with QR, and a camera API). */
export function canScan(w: { BarcodeDetector?: unknown; navigator?: { mediaDevices?: { getUserMedia?: unknown } } } | undefined): boolean {
  return typeof w?.BarcodeDetector === 'function' && typeof w.navigator?.mediaDevices?.getUserMedia === 'function';
}

/** A report's rows (by reward, by campaign), the most issued first, then by key. */
export function reportRows(by: Record<string, Figures> | undefined): (Figures & { key: string })[] {
  return Object.entries(by ?? {})
    .map(([key, f]) => ({ key, ...f }))
    .sort((a, b) => b.issued - a.issued || a.key.localeCompare(b.key));
}

export interface IssueFormValues {
  valueType: 'amount' | 'percent';
  amountOff?: number;
  percentOff?: number;
  locationIds: string[];
  validDays: number;
  reason: string;
}

export type IssueBody = components['schemas']['VoucherIssue'];

/**
 * What issuing a voucher by hand sends: the value (an amount in currency, or a
 * percentage), where it may be used, for how long and why; issued at the location
 * the manager works in, for the reports.
 */
export function issueBody(customerId: string, v: IssueFormValues, currency: string | undefined, here: string | undefined): IssueBody {
  const value: VoucherValue = v.valueType === 'amount' ? { amountOff: v.amountOff, currency } : { percentOff: v.percentOff };
  return {
    customerId,
    kind: 'voucher',
    value,
    ...(v.locationIds.length > 0 ? { locationIds: v.locationIds } : {}),
    validDays: v.validDays,
    reason: v.reason.trim(),
    ...(here ? { locationId: here } : {}),
  };
}

/** An ISO day (YYYY-MM-DD) n days before day, for the report's default period. */
export function daysBefore(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}
