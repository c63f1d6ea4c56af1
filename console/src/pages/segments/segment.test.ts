import { describe, expect, it } from 'vitest';
import { builderFieldOf, campaignFieldOf, conditions, emptyBuilder, toCampaign, toRequest, zonedToUtc } from './segment';
import { winBackRequest } from './WinBack';

describe('the segment builder', () => {
  it('sends only the conditions set, tiers in their order, days by the last-visit choice', () => {
    const f = { ...emptyBuilder('loc-1'), name: ' Lapsed VIPs ', tiers: ['key' as const, 'vip' as const], tags: ['wine', ' wine ', ''], lastVisit: 'notWithin' as const, days: 90, minR: null, minF: 3 };
    expect(toRequest(f)).toEqual({ name: 'Lapsed VIPs', filter: { locationId: 'loc-1', tiers: ['vip', 'key'], minF: 3, tags: ['wine'], inactiveDays: 90 } });
    expect(toRequest({ ...f, lastVisit: 'within' }).filter).toMatchObject({ activeDays: 90 });
    expect(toRequest({ ...f, lastVisit: 'any' }).filter).not.toHaveProperty('inactiveDays');
    expect(toRequest(emptyBuilder('loc-2'))).toEqual({ name: '', filter: { locationId: 'loc-2' } });
  });

  it('says a filter as conditions, none meaning everyone', () => {
    expect(conditions({ locationId: 'loc-1' })).toEqual([]);
    expect(conditions({ locationId: 'loc-1', abc: ['A'], minVisits: 2, inactiveDays: 30 }).map((c) => c.key)).toEqual(['cond.abc', 'cond.inactiveDays', 'cond.minVisits']);
  });

  it('puts the API’s field errors on the builder', () => {
    expect(builderFieldOf('filter.minR')).toEqual(['minR']);
    expect(builderFieldOf('filter.inactiveDays')).toEqual(['days']);
    expect(builderFieldOf('name')).toEqual(['name']);
    expect(builderFieldOf('filter.other')).toBeUndefined();
  });
});

describe('campaigns', () => {
  it('reads a wall time at the location', () => {
    expect(zonedToUtc('2026-12-24', '10:00', 'Asia/Shanghai')).toBe('2026-12-24T02:00:00Z');
    expect(zonedToUtc('2026-07-01', '09:30', 'Europe/London')).toBe('2026-07-01T08:30:00Z');
    // London springs forward at 01:00 on 29 March 2026: 01:30 does not exist, 02:30 BST does.
    expect(zonedToUtc('2026-03-29', '01:30', 'Europe/London')).toBe('2026-03-29T01:30:00Z');
    // It falls back at 02:00 BST on 25 October 2026: 01:30 comes twice, first in BST.
    expect(zonedToUtc('2026-10-25', '01:30', 'Europe/London')).toBe('2026-10-25T00:30:00Z');
  });

  it('sends a template, or the text written, under one campaign id', () => {
    expect(toCampaign({ content: 'win-back', when: 'now' }, 'c-1', 'Asia/Shanghai')).toEqual({ campaignId: 'c-1', templateId: 'win-back' });
    expect(
      toCampaign({ content: 'own', messageEn: ' Hello ', messageZh: '', subjectZh: '你好', when: 'later', date: '2026-12-24', time: '10:00' }, 'c-2', 'Asia/Shanghai'),
    ).toEqual({ campaignId: 'c-2', dueAt: '2026-12-24T02:00:00Z', message: { en: 'Hello' }, subject: { 'zh-CN': '你好' } });
  });

  it('gives a voucher in the programme’s currency, or a percentage, or none', () => {
    expect(toCampaign({ content: 'win-back', when: 'now', voucher: 'amount', amountOff: 20, percentOff: 5, validDays: 30 }, 'c-3', 'Asia/Shanghai', 'CNY')).toEqual({
      campaignId: 'c-3',
      templateId: 'win-back',
      voucher: { value: { amountOff: 20, currency: 'CNY' }, validDays: 30 },
    });
    expect(toCampaign({ content: 'win-back', when: 'now', voucher: 'percent', amountOff: 20, percentOff: 15, validDays: 7 }, 'c-4', 'Asia/Shanghai', 'CNY').voucher).toEqual({
      value: { percentOff: 15 },
      validDays: 7,
    });
    expect(toCampaign({ content: 'win-back', when: 'now', voucher: 'none', amountOff: 20, validDays: 7 }, 'c-5', 'Asia/Shanghai', 'CNY')).not.toHaveProperty('voucher');
  });

  it('puts the API’s field errors on the campaign form', () => {
    expect(campaignFieldOf('voucher.validDays')).toEqual(['validDays']);
    expect(campaignFieldOf('voucher.value.amountOff')).toEqual(['amountOff']);
    expect(campaignFieldOf('voucher.value.currency')).toEqual(['amountOff']);
    expect(campaignFieldOf('voucher.value.percentOff')).toEqual(['percentOff']);
    expect(campaignFieldOf('message')).toEqual(['messageEn']);
    expect(campaignFieldOf('subject.en')).toEqual(['subjectEn']);
    expect(campaignFieldOf('voucher.rewardId')).toBeUndefined();
  });

  it('sets a location’s own win-back days, or goes back to the general ones', () => {
    expect(winBackRequest({ locationId: 'loc-1', mode: 'own', days: 45 }, 3)).toEqual({ days: 45, version: 3 });
    expect(winBackRequest({ locationId: 'loc-1', mode: 'general', days: 45 }, 3)).toEqual({ days: null, version: 3 });
  });
});
