import { describe, expect, it } from 'vitest';
import { dayInZone, formatDate, formatDateTime, formatMoney, formatNumber, formatPercent, formatRelative, formatTime } from './format';

// 07:42 UTC is 15:42 in Shanghai and, on 6 December, 02:42 in New York.
const at = '2026-12-06T07:42:00Z';

describe('dates in a location time zone', () => {
  it('shows the wall-clock time of the zone, not of the browser', () => {
    expect(formatTime(at, 'Asia/Shanghai', 'en')).toBe('15:42');
    expect(formatTime(at, 'America/New_York', 'en')).toBe('02:42');
  });

  it('writes dates in the console language', () => {
    expect(formatDateTime(at, 'Asia/Shanghai', 'zh-CN')).toBe('2026年12月6日 15:42');
    expect(formatDateTime(at, 'Asia/Shanghai', 'en')).toBe('Dec 6, 2026, 15:42');
    expect(formatDate(at, 'Asia/Shanghai', 'zh-CN')).toBe('2026年12月6日');
  });

  it('changes the day across midnight in the zone', () => {
    const late = '2026-12-06T17:30:00Z';
    expect(dayInZone(late, 'Asia/Shanghai')).toBe('2026-12-07');
    expect(dayInZone(late, 'America/Los_Angeles')).toBe('2026-12-06');
  });

  it('falls back to UTC, said so, for a zone the browser does not know', () => {
    expect(formatTime(at, 'Mars/Olympus', 'en')).toBe('07:42 UTC');
    expect(dayInZone(at, 'Mars/Olympus')).toBe('2026-12-06');
  });

  it('shows a dash for a value that is not a time', () => {
    expect(formatDateTime('not a time', 'UTC', 'en')).toBe('—');
    expect(dayInZone('not a time', 'UTC')).toBe('');
  });

  it('accepts Date and epoch milliseconds', () => {
    const d = new Date(at);
    expect(formatTime(d, 'UTC', 'en')).toBe('07:42');
    expect(formatTime(d.getTime(), 'UTC', 'en')).toBe('07:42');
  });
});

describe('formatRelative', () => {
  const now = new Date(at);
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it('counts minutes, hours and days', () => {
    expect(formatRelative(ago(3 * 60_000), now, 'en')).toBe('3 minutes ago');
    expect(formatRelative(ago(3 * 60_000), now, 'zh-CN')).toBe('3分钟前');
    expect(formatRelative(ago(-2 * 3_600_000), now, 'en')).toBe('in 2 hours');
    expect(formatRelative(ago(-2 * 3_600_000), now, 'zh-CN')).toBe('2小时后');
    expect(formatRelative(ago(26 * 3_600_000), now, 'en')).toBe('yesterday');
    expect(formatRelative(ago(26 * 3_600_000), now, 'zh-CN')).toBe('昨天');
    expect(formatRelative(ago(5 * 86_400_000), now, 'en')).toBe('5 days ago');
  });

  it('says now within a minute', () => {
    expect(formatRelative(ago(20_000), now, 'en')).toBe('now');
    expect(formatRelative(ago(20_000), now, 'zh-CN')).toBe('现在');
  });
});

describe('money', () => {
  it('uses the amount currency and the console language', () => {
    expect(formatMoney(1280, 'CNY', 'zh-CN')).toBe('¥1,280.00');
    expect(formatMoney(1280, 'CNY', 'en')).toBe('CN¥1,280.00');
    expect(formatMoney(9.5, 'USD', 'en')).toBe('$9.50');
    expect(formatMoney(1000, 'JPY', 'en')).toBe('¥1,000');
  });

  it('writes the code after the number for a currency Intl refuses', () => {
    expect(formatMoney(12.5, 'not-a-code', 'en')).toBe('12.5 not-a-code');
  });
});

describe('numbers', () => {
  it('groups digits and keeps one decimal', () => {
    expect(formatNumber(12345.678, 'en')).toBe('12,345.7');
    expect(formatNumber(42, 'zh-CN')).toBe('42');
  });

  it('writes ratios as percentages', () => {
    expect(formatPercent(0.935, 'en')).toBe('93.5%');
    expect(formatPercent(1, 'zh-CN')).toBe('100%');
  });
});
