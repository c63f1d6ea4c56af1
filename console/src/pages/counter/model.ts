import { ApiError } from '../../api/error';

/**
 * The counter's pure logic: what an earn, a redeem and an adjustment send, and what a
 * refused redeem says.
 */

/** A sourceId as the loyalty API takes it: letters, digits and . _ : # -, at most 128. */
const SOURCE_ID = /^[A-Za-z0-9._:#-]{1,128}$/;

/**
 * The sourceId of a bill: its number as printed (spaces and other signs become "-"),
 * so that the same bill entered twice earns once; a generated one when none is given.
 */
export function billSourceId(bill: string, generate: () => string = () => crypto.randomUUID()): string {
  const s = bill
    .trim()
    .replace(/[^A-Za-z0-9._:#-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s !== '' && SOURCE_ID.test(`bill:${s}`)) return `bill:${s}`;
  return `counter:${generate()}`;
}

/** A typed amount of money: a positive number with at most two decimals, else undefined. */
export function parseAmount(text: string): number | undefined {
  const s = text.trim().replace(/[,\s]/g, '').replace(/^[¥￥$€£]/, '');
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return undefined;
  const n = Number(s);
  return n > 0 && n <= 1e9 ? n : undefined;
}

/** Typed points: a whole number from 1 (or, signed, not 0) up to the API's bound. */
export function parsePoints(text: string, signed = false): number | undefined {
  const s = text.trim().replace(/[,\s]/g, '');
  if (!(signed ? /^[+-]?\d+$/ : /^\+?\d+$/).test(s)) return undefined;
  const n = Number(s);
  if (n === 0 || Math.abs(n) > 10_000_000) return undefined;
  return n;
}

export interface EarnBody {
  sourceId: string;
  amount: number;
  currency: string;
  locationId?: string;
}

export function earnBody(bill: string, amount: number, currency: string, locationId: string | undefined, generate?: () => string): EarnBody {
  return { sourceId: billSourceId(bill, generate), amount, currency, ...(locationId ? { locationId } : {}) };
}

export interface PointsBody {
  sourceId: string;
  points: number;
  reason?: string;
  locationId?: string;
}

export function redeemBody(points: number, locationId: string | undefined, generate: () => string = () => crypto.randomUUID()): PointsBody {
  return { sourceId: `redeem:${generate()}`, points, ...(locationId ? { locationId } : {}) };
}

export function adjustBody(points: number, reason: string, generate: () => string = () => crypto.randomUUID()): PointsBody {
  return { sourceId: `adjust:${generate()}`, points, reason: reason.trim() };
}

/**
 * The balance a refused redeem reports (reason points-short, its facts' available:
 * shared/loyalty/service.go), else the balance last shown; undefined for any other
 * refusal.
 */
export function notEnoughPoints(e: unknown, shown: number | undefined): number | undefined {
  if (!(e instanceof ApiError) || e.status !== 409 || e.reason !== 'points-short') return undefined;
  const available = e.facts.available;
  return typeof available === 'number' ? available : shown;
}
