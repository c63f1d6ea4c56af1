import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/error';
import { adjustBody, billSourceId, earnBody, notEnoughPoints, parseAmount, parsePoints, redeemBody } from './model';

const fixed = () => 'fixed-id';

describe('billSourceId', () => {
  it('keeps a bill number as its sourceId, so the same bill earns once', () => {
    expect(billSourceId(' A-1024 ', fixed)).toBe('bill:A-1024');
    expect(billSourceId('No. 88/7', fixed)).toBe('bill:No.-88-7');
  });
  it('makes one up when there is no bill number', () => {
    expect(billSourceId('  ', fixed)).toBe('counter:fixed-id');
    expect(billSourceId('///', fixed)).toBe('counter:fixed-id');
  });
});

describe('parseAmount and parsePoints', () => {
  it('reads money with up to two decimals', () => {
    expect(parseAmount('120.00')).toBe(120);
    expect(parseAmount('¥1,280.5')).toBe(1280.5);
    expect(parseAmount('0')).toBeUndefined();
    expect(parseAmount('12.345')).toBeUndefined();
    expect(parseAmount('abc')).toBeUndefined();
  });
  it('reads whole points, signed only for adjustments', () => {
    expect(parsePoints('50')).toBe(50);
    expect(parsePoints('-50')).toBeUndefined();
    expect(parsePoints('-50', true)).toBe(-50);
    expect(parsePoints('0', true)).toBeUndefined();
    expect(parsePoints('1.5')).toBeUndefined();
    expect(parsePoints('20000000')).toBeUndefined();
  });
});

describe('request bodies', () => {
  it('earns an amount in the programme currency at the picked location', () => {
    expect(earnBody('B-7', 120, 'CNY', 'loc-1', fixed)).toEqual({ sourceId: 'bill:B-7', amount: 120, currency: 'CNY', locationId: 'loc-1' });
    expect(earnBody('', 120, 'CNY', undefined, fixed)).toEqual({ sourceId: 'counter:fixed-id', amount: 120, currency: 'CNY' });
  });
  it('redeems and adjusts under fresh references', () => {
    expect(redeemBody(50, 'loc-1', fixed)).toEqual({ sourceId: 'redeem:fixed-id', points: 50, locationId: 'loc-1' });
    expect(adjustBody(-20, ' goodwill ', fixed)).toEqual({ sourceId: 'adjust:fixed-id', points: -20, reason: 'goodwill' });
  });
});

describe('notEnoughPoints', () => {
  const short = (facts: Record<string, unknown>) => new ApiError({ status: 409, title: 'Conflict', detail: 'in English', reason: 'points-short', facts });
  it('reads the balance the API reports', () => {
    expect(notEnoughPoints(short({ available: 70, needed: 500 }), 120)).toBe(70);
  });
  it('falls back to the balance shown', () => {
    expect(notEnoughPoints(short({}), 120)).toBe(120);
  });
  it('is undefined for other refusals', () => {
    expect(notEnoughPoints(new ApiError({ status: 409, title: 'Conflict', detail: 'not enough points: 70 available, 500 asked' }), 120)).toBeUndefined();
    expect(notEnoughPoints(new ApiError({ status: 409, title: 'Conflict', reason: 'voucher-cancelled' }), 120)).toBeUndefined();
    expect(notEnoughPoints(new ApiError({ status: 404, title: 'Not Found' }), 120)).toBeUndefined();
    expect(notEnoughPoints(undefined, 120)).toBeUndefined();
  });
});
