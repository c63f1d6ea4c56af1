import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/error';
import { canScan, codeFrom, daysBefore, issueBody, looksLikeCode, redeemBody, reportRows, takeRefusal, takeSourceId, voucherRefusal, whyOf } from './model';

const conflict = (detail: string, status = 409) => new ApiError({ status, title: status === 410 ? 'Gone' : 'Conflict', detail });

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
  it('reads why a reward is not offered', () => {
    expect(whyOf('not enough points: 70 available, 500 needed')).toEqual({ key: 'why.points', available: 70, needed: 500 });
    expect(whyOf('only members of tier gold, platinum may take this reward')).toEqual({ key: 'why.tier', tiers: 'gold, platinum' });
    expect(whyOf('this reward is not offered at this location')).toEqual({ key: 'why.location' });
    expect(whyOf('this reward is out of stock')).toEqual({ key: 'why.stock' });
    expect(whyOf('this reward is no longer offered')).toEqual({ key: 'why.inactive' });
    expect(whyOf('something new')).toEqual({ key: 'why.other', detail: 'something new' });
  });

  it('reads a refused take only from a 409 it knows', () => {
    expect(takeRefusal(conflict('this reward is out of stock'))).toEqual({ key: 'why.stock' });
    expect(takeRefusal(conflict('this sourceId was used for another change of these points'))).toBeUndefined();
    expect(takeRefusal(new ApiError({ status: 404, title: 'Not Found', detail: 'this reward is out of stock' }))).toBeUndefined();
  });

  it('reads a refused redeem, reverse or cancel', () => {
    expect(voucherRefusal(conflict('this voucher was redeemed on 2026-12-06T08:00:00Z at loc-1'))).toEqual({
      key: 'refused.redeemed',
      at: '2026-12-06T08:00:00Z',
      locationId: 'loc-1',
    });
    expect(voucherRefusal(conflict('this voucher expired on 2026-12-01T00:00:00Z', 410))).toEqual({ key: 'refused.expired', at: '2026-12-01T00:00:00Z' });
    expect(voucherRefusal(conflict('this voucher is not valid at this location: only at loc-2, loc-3'))).toEqual({ key: 'refused.location', where: 'loc-2, loc-3' });
    expect(voucherRefusal(conflict('this voucher was cancelled'))).toEqual({ key: 'refused.cancelled' });
    expect(voucherRefusal(conflict("this voucher's redemption was reversed once already"))).toEqual({ key: 'refused.reversedOnce' });
    expect(voucherRefusal(conflict('this voucher is not redeemed'))).toEqual({ key: 'refused.notRedeemed' });
    expect(voucherRefusal(conflict('this voucher was redeemed for another bill (bill:B-1)'))).toEqual({ key: 'refused.otherBill', bill: 'bill:B-1' });
    expect(voucherRefusal(conflict('only an issued voucher can be cancelled; this one is redeemed'))).toEqual({ key: 'refused.notIssued', status: 'redeemed' });
    expect(voucherRefusal(conflict('a request with this Idempotency-Key is still in progress'))).toBeUndefined();
    expect(voucherRefusal(new ApiError({ status: 400, title: 'Bad Request', detail: 'this voucher was cancelled' }))).toBeUndefined();
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
