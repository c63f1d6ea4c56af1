import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/error';
import { canScan, codeFrom, daysBefore, issueBody, looksLikeCode, redeemBody, reportRows, takeRefusal, takeSourceId, voucherRefusal, whyOf } from './model';

/** A refusal as the API sends it: English detail, and the reason and facts a page reads. */
const refused = (reason: string, facts: Record<string, unknown> = {}, status = 409, detail = 'in English') =>
  new ApiError({ status, title: status === 410 ? 'Gone' : 'Conflict', detail, reason, facts });

describe('codeFrom', () => {
  it('reads a code as people write it: any case, dashes or spaces', () => {
    expect(codeFrom(' k7qm-2xdr-9hfa-6twp ')).toBe('K7QM2XDR9HFA6TWP');
    expect(codeFrom('K7QM 2XDR 9HFA 6TWP')).toBe('K7QM2XDR9HFA6TWP');
    expect(codeFrom('K7QM2XDR9HFA6TWP')).toBe('K7QM2XDR9HFA6TWP');
  });

  it('finds the code in a scanned link', () => {
    expect(codeFrom('https://rapport.example/v/K7QM-2XDR-9HFA-6TWP?x=1')).toBe('K7QM2XDR9HFA6TWP');
  });

  it('takes typed text whole, leaving a wrong code to the API', () => {
    expect(codeFrom(' K7QM-2XDR ')).toBe('K7QM2XDR');
    expect(looksLikeCode('K7QM-2XDR')).toBe(false);
    // A symbol too many is not dropped.
    expect(codeFrom('K7QM-2XDR-9HFA-6TWPX')).toBe('K7QM2XDR9HFA6TWPX');
    expect(looksLikeCode('K7QM-2XDR-9HFA-6TWPX')).toBe(false);
    expect(looksLikeCode('k7qm-2xdr-9hfa-6twp')).toBe(true);
    // U is not a symbol of the code.
    expect(looksLikeCode('U7QM-2XDR-9HFA-6TWP')).toBe(false);
  });
});

describe('what is sent', () => {
  it('redeems for the bill as the counter names it, at the till', () => {
    expect(redeemBody(' B 1024 ', 'loc-1')).toEqual({ sourceId: 'bill:B-1024', locationId: 'loc-1' });
  });

  it('makes each take its own source', () => {
    expect(takeSourceId(() => 'u-1')).toBe('take:u-1');
    expect(takeSourceId()).not.toBe(takeSourceId());
  });

  it('issues an amount in the currency, or a percentage, where and why', () => {
    expect(issueBody('c-7', { valueType: 'amount', amountOff: 20, percentOff: 5, locationIds: ['loc-1'], validDays: 30, reason: ' Late room ' }, 'CNY', 'loc-1')).toEqual({
      customerId: 'c-7',
      kind: 'voucher',
      value: { amountOff: 20, currency: 'CNY' },
      locationIds: ['loc-1'],
      validDays: 30,
      reason: 'Late room',
      locationId: 'loc-1',
    });
    expect(issueBody('c-7', { valueType: 'percent', percentOff: 10, locationIds: [], validDays: 7, reason: 'x' }, 'CNY', undefined)).toEqual({
      customerId: 'c-7',
      kind: 'voucher',
      value: { percentOff: 10 },
      validDays: 7,
      reason: 'x',
    });
  });
});

describe('refusals in words', () => {
  it('reads why a reward is not offered from its reason', () => {
    expect(whyOf('points-short', { available: 70, needed: 500 })).toEqual({ key: 'why.points', available: 70, needed: 500 });
    expect(whyOf('reward-tier', { tiers: ['gold', 'platinum'] })).toEqual({ key: 'why.tier', tiers: 'gold, platinum' });
    expect(whyOf('reward-location', undefined)).toEqual({ key: 'why.location' });
    expect(whyOf('reward-out-of-stock', {})).toEqual({ key: 'why.stock' });
    expect(whyOf('reward-withdrawn', {})).toEqual({ key: 'why.inactive' });
  });

  it('shows a reason it does not know, or one without its facts, in the API words', () => {
    expect(whyOf('reward-new-rule', {}, 'something new')).toEqual({ key: 'why.other', detail: 'something new' });
    expect(whyOf('points-short', {}, 'not enough points available')).toEqual({ key: 'why.other', detail: 'not enough points available' });
    expect(whyOf(undefined, undefined)).toEqual({ key: 'why.other', detail: '' });
  });

  it('reads a refused take only from a 409 with a reason it knows', () => {
    expect(takeRefusal(refused('reward-out-of-stock'))).toEqual({ key: 'why.stock' });
    expect(takeRefusal(refused('points-short', { available: 0, needed: 800 }))).toEqual({ key: 'why.points', available: 0, needed: 800 });
    expect(takeRefusal(new ApiError({ status: 409, title: 'Conflict', detail: 'this sourceId was used for another change of these points' }))).toBeUndefined();
    expect(takeRefusal(refused('reward-out-of-stock', {}, 404))).toBeUndefined();
  });

  it('reads a refused redeem, reverse or cancel from its reason and facts', () => {
    expect(voucherRefusal(refused('voucher-redeemed', { redeemedAt: '2026-12-06T08:00:00Z', locationId: 'loc-1' }))).toEqual({
      key: 'refused.redeemed',
      at: '2026-12-06T08:00:00Z',
      locationId: 'loc-1',
    });
    expect(voucherRefusal(refused('voucher-expired', { expiredAt: '2026-12-01T00:00:00Z' }, 410))).toEqual({ key: 'refused.expired', at: '2026-12-01T00:00:00Z' });
    expect(voucherRefusal(refused('voucher-elsewhere', { locationIds: ['loc-2', 'loc-3'] }))).toEqual({ key: 'refused.location', where: 'loc-2, loc-3' });
    expect(voucherRefusal(refused('voucher-cancelled'))).toEqual({ key: 'refused.cancelled' });
    expect(voucherRefusal(refused('voucher-reversed-once'))).toEqual({ key: 'refused.reversedOnce' });
    expect(voucherRefusal(refused('voucher-not-redeemed'))).toEqual({ key: 'refused.notRedeemed' });
    expect(voucherRefusal(refused('voucher-other-bill', { sourceId: 'bill:B-1' }))).toEqual({ key: 'refused.otherBill', bill: 'bill:B-1' });
    expect(voucherRefusal(refused('voucher-not-issued', { status: 'redeemed' }))).toEqual({ key: 'refused.notIssued', status: 'redeemed' });
    expect(voucherRefusal(new ApiError({ status: 409, title: 'Conflict', detail: 'this voucher was cancelled' }))).toBeUndefined();
    expect(voucherRefusal(refused('voucher-cancelled', {}, 400))).toBeUndefined();
  });
});

describe('canScan', () => {
  const camera = { mediaDevices: { getUserMedia: () => undefined } };
  it('needs both BarcodeDetector and a camera', () => {
    expect(canScan({ BarcodeDetector: class {}, navigator: camera })).toBe(true);
    expect(canScan({ navigator: camera })).toBe(false);
    expect(canScan({ BarcodeDetector: class {}, navigator: {} })).toBe(false);
    expect(canScan(undefined)).toBe(false);
  });
});

describe('the report', () => {
  it('lists the most issued first, then by key', () => {
    const f = (issued: number) => ({ issued, redeemed: 0, cancelled: 0, expired: 0, pointsSpent: 0, redemptionRate: null });
    expect(reportRows({ b: f(2), a: f(2), c: f(5) }).map((r) => r.key)).toEqual(['c', 'a', 'b']);
    expect(reportRows(undefined)).toEqual([]);
  });

  it('starts 29 days before the last day, across months', () => {
    expect(daysBefore('2026-03-01', 29)).toBe('2026-01-31');
  });
});
