import { describe, expect, it } from 'vitest';
import { asRules, confirmsErase, currencyOf, exportFileName, filterTimeline, profileForm, profilePatch, queryKind, searchParams, tierProgress, type Customer, type TimelineItem } from './model';

const base: Customer = {
  customerId: 'c-1',
  name: 'Li Lei',
  phone: '+8613800138000',
  email: 'li@example.com',
  locale: 'zh-CN',
  locationId: 'loc-1',
  tags: ['vip-room'],
  version: 4,
  visits: 2,
  monetary: 300,
};

describe('queryKind', () => {
  it('tells phones, emails and names apart as the API does', () => {
    expect(queryKind('  ')).toBe('empty');
    expect(queryKind('li@example.com')).toBe('email');
    expect(queryKind('138 0013 8000')).toBe('phone');
    expect(queryKind('+86 (138) 0013-8000')).toBe('phone');
    expect(queryKind('1234')).toBe('name');
    expect(queryKind('Li Lei')).toBe('name');
  });
});

describe('searchParams', () => {
  it('sends a phone without a location, and a name only with one', () => {
    expect(searchParams('138 0013 8000', undefined)).toEqual({ q: '138 0013 8000' });
    expect(searchParams('Li Lei', undefined)).toBe('needsLocation');
    expect(searchParams('Li Lei', 'loc-1')).toEqual({ q: 'Li Lei', locationId: 'loc-1' });
    expect(searchParams('', 'loc-1')).toEqual({ q: '', locationId: 'loc-1' });
    expect(searchParams('', undefined)).toBe('empty');
  });

  it('tries a single word as an id when no location is picked', () => {
    expect(searchParams('c-42', undefined)).toEqual({ q: 'c-42' });
  });
});

describe('profilePatch', () => {
  it('is undefined when nothing changed', () => {
    expect(profilePatch(base, profileForm(base))).toBeUndefined();
  });

  it('sends only the changed fields, trimmed, with the version read', () => {
    const form = { ...profileForm(base), name: '  Li Lei Jr ', email: '', tags: ['vip-room', ' quiet ', 'quiet', ''] };
    expect(profilePatch(base, form)).toEqual({ version: 4, name: 'Li Lei Jr', email: '', tags: ['vip-room', 'quiet'] });
  });

  it('never sends an empty language (the API takes zh-CN or en only)', () => {
    expect(profilePatch(base, { ...profileForm(base), locale: '' })).toBeUndefined();
    expect(profilePatch(base, { ...profileForm(base), locale: 'en' })).toEqual({ version: 4, locale: 'en' });
  });
});

describe('tierProgress', () => {
  const tiers = [
    { name: 'member', threshold: 0 },
    { name: 'silver', threshold: 1000 },
    { name: 'gold', threshold: 5000 },
  ];
  it('measures the way from the tier to the next', () => {
    expect(tierProgress(tiers, 'silver', 3000, { tier: 'gold', pointsNeeded: 2000 })).toEqual({ percent: 50, next: 'gold', needed: 2000 });
    expect(tierProgress(tiers, 'member', 120, { tier: 'silver', pointsNeeded: 880 })).toEqual({ percent: 12, next: 'silver', needed: 880 });
  });
  it('is full at the top tier', () => {
    expect(tierProgress(tiers, 'gold', 9000, undefined)).toEqual({ percent: 100, needed: 0 });
  });
});

describe('asRules', () => {
  it('reads the currency and tiers, tolerating what is missing', () => {
    expect(asRules({ currency: 'HKD', tiers: [{ name: 'member', threshold: 0 }], version: 3 })).toEqual({ currency: 'HKD', tiers: [{ name: 'member', threshold: 0 }] });
    expect(asRules({})).toEqual({ currency: 'CNY', tiers: [] });
  });
});

describe('the rest', () => {
  it('filters the timeline by kind', () => {
    const items: TimelineItem[] = [
      { at: '2026-12-01T00:00:00Z', type: 'visit', id: 'v1' },
      { at: '2026-11-01T00:00:00Z', type: 'points', id: 'p1' },
    ];
    expect(filterTimeline(items, 'points').map((i) => i.id)).toEqual(['p1']);
    expect(filterTimeline(items, 'all')).toHaveLength(2);
  });

  it('names an export without personal data', () => {
    expect(exportFileName('c/1 x', '2026-12-06')).toBe('rapport-export-c_1_x-2026-12-06.json');
  });

  it('confirms an erasure by the name, case and spaces aside, else by the id', () => {
    expect(confirmsErase(base, 'li  lei')).toBe(true);
    expect(confirmsErase(base, 'Li')).toBe(false);
    expect(confirmsErase({ customerId: 'c-9' }, 'c-9')).toBe(true);
  });
});

describe('currencyOf', () => {
  it('prefers the location currency, else the programme one', () => {
    expect(currencyOf({ currency: 'GBP' }, { currency: 'CNY', tiers: [] })).toBe('GBP');
    expect(currencyOf({}, { currency: 'CNY', tiers: [] })).toBe('CNY');
    expect(currencyOf(undefined, undefined)).toBeUndefined();
  });
});
