import { describe, expect, it } from 'vitest';
import { STAFF_ID, durationParts, medianParts, staffLabel, trendRows } from './model';

describe('the Team page model', () => {
  it('names a staff member by the directory, else by id', () => {
    expect(staffLabel({ staffId: 'emp-17', name: 'Li Wei' })).toBe('Li Wei');
    expect(staffLabel({ staffId: 'emp-17', name: '  ' })).toBe('emp-17');
    expect(staffLabel({ staffId: 'pos:till-4' })).toBe('pos:till-4');
  });

  it('says a bucket bound in minutes, or whole hours from two', () => {
    expect(durationParts(45)).toEqual({ key: 'time.minutes', n: 45 });
    expect(durationParts(90)).toEqual({ key: 'time.minutes', n: 90 });
    expect(durationParts(240)).toEqual({ key: 'time.hours', n: 4 });
    expect(durationParts(2880)).toEqual({ key: 'time.hours', n: 48 });
    expect(durationParts(14400)).toEqual({ key: 'time.hours', n: 240 });
  });

  it('says a median as at most its bucket, or over the last', () => {
    expect(medianParts({ atMost: 60 })).toEqual({ key: 'median.atMost', minutes: 60 });
    expect(medianParts({ over: 14400 })).toEqual({ key: 'median.over', minutes: 14400 });
    expect(medianParts(null)).toBeNull();
  });

  it('leaves a week below the minimum without a score', () => {
    expect(
      trendRows([
        { period: '2026-W49', start: '2026-11-30', end: '2026-12-06', visits: 3, responses: 5, notEnoughData: false, nps: 20, csat: 80 },
        { period: '2026-W50', start: '2026-12-07', end: '2026-12-13', visits: 1, responses: 1, notEnoughData: true, nps: null, csat: null },
      ]),
    ).toEqual([
      { week: 'W49', nps: 20, csat: 80, visits: 3 },
      { week: 'W50', nps: null, csat: null, visits: 1 },
    ]);
  });

  it('takes the staff ids the API takes', () => {
    expect(STAFF_ID.test('3f1c2a-77')).toBe(true);
    expect(STAFF_ID.test('pos:till-4')).toBe(true);
    expect(STAFF_ID.test('a#b')).toBe(false);
    expect(STAFF_ID.test('')).toBe(false);
  });
});
