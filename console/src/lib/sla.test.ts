import { describe, expect, it } from 'vitest';
import { SOON_MS, countdown, countdownLabel, formatDuration } from './sla';

const now = new Date('2026-12-06T08:00:00Z');
const plus = (ms: number) => new Date(now.getTime() + ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('countdown', () => {
  it('counts down to the due time', () => {
    const c = countdown(plus(2 * HOUR + 5 * MIN), now);
    expect(c).toEqual({ remainingMs: 2 * HOUR + 5 * MIN, breached: false, soon: false });
  });

  it('warns within the last hour', () => {
    expect(countdown(plus(SOON_MS), now).soon).toBe(true);
    expect(countdown(plus(SOON_MS + 1), now).soon).toBe(false);
    expect(countdown(plus(10 * MIN), now, 5 * MIN).soon).toBe(false);
  });

  it('is breached at the due time and after it', () => {
    expect(countdown(plus(0), now)).toMatchObject({ breached: true, soon: false });
    expect(countdown(plus(-15 * MIN), now)).toMatchObject({ breached: true, remainingMs: -15 * MIN });
  });

  it('takes a Date as well as a string', () => {
    expect(countdown(new Date(now.getTime() + MIN), now).remainingMs).toBe(MIN);
  });
});

describe('formatDuration', () => {
  it('shows the two largest units, rounded down to the minute', () => {
    expect(formatDuration(2 * HOUR + 5 * MIN + 59_000, 'en')).toBe('2 hr 5 min');
    expect(formatDuration(2 * HOUR + 5 * MIN, 'zh-CN')).toBe('2小时5分钟');
    expect(formatDuration(27 * HOUR + 30 * MIN, 'en')).toBe('1 day 3 hr');
    expect(formatDuration(27 * HOUR, 'zh-CN')).toBe('1天3小时');
    expect(formatDuration(3 * HOUR, 'en')).toBe('3 hr');
    expect(formatDuration(48 * HOUR + 10 * MIN, 'en')).toBe('2 days');
    expect(formatDuration(30_000, 'en')).toBe('0 min');
  });

  it('ignores the sign', () => {
    expect(formatDuration(-15 * MIN, 'en')).toBe('15 min');
  });
});

describe('countdownLabel', () => {
  it('says time left or overdue in both languages', () => {
    expect(countdownLabel(countdown(plus(90 * MIN), now), 'en')).toBe('1 hr 30 min left');
    expect(countdownLabel(countdown(plus(90 * MIN), now), 'zh-CN')).toBe('剩余 1小时30分钟');
    expect(countdownLabel(countdown(plus(-15 * MIN), now), 'en')).toBe('Overdue by 15 min');
    expect(countdownLabel(countdown(plus(-15 * MIN), now), 'zh-CN')).toBe('已超时 15分钟');
  });
});
