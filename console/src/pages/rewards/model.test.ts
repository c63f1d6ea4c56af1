import { describe, expect, it } from 'vitest';
import { idFromName, nameIn, rewardFieldOf, toRewardForm, toRewardInput, type Reward } from './model';

const tea: Reward = {
  rewardId: 'afternoon-tea',
  name: { 'zh-CN': '双人下午茶', en: 'Afternoon tea for two' },
  pointsCost: 800,
  kind: 'gift',
  value: {},
  stock: 12,
  validDays: 60,
  locations: ['loc-1'],
  active: true,
  version: 3,
  updatedAt: '2026-12-01T00:00:00Z',
};

describe('the reward form', () => {
  it('sends a new voucher whole, without version, no limit when stock is empty', () => {
    const v = { ...toRewardForm(undefined, 'CNY'), rewardId: 'ten-off', nameZh: '减十元', nameEn: ' Ten off ', pointsCost: 100, amountOff: 10 };
    expect(toRewardInput(v)).toEqual({
      rewardId: 'ten-off',
      name: { 'zh-CN': '减十元', en: 'Ten off' },
      pointsCost: 100,
      kind: 'voucher',
      value: { amountOff: 10, currency: 'CNY' },
      validDays: 30,
      active: true,
    });
  });

  it('sends a percentage without a currency', () => {
    const v = { ...toRewardForm(undefined, 'CNY'), rewardId: 'p', nameZh: '九折', nameEn: '10% off', pointsCost: 50, valueType: 'percent' as const, percentOff: 10, amountOff: 3 };
    expect(toRewardInput(v).value).toEqual({ percentOff: 10 });
  });

  it('edits at the version read, keeping the id, sending an empty value for a gift', () => {
    const form = toRewardForm(tea);
    expect(form).toMatchObject({ rewardId: 'afternoon-tea', nameEn: 'Afternoon tea for two', kind: 'gift', stock: 12, locations: ['loc-1'], tiers: [] });
    const input = toRewardInput({ ...form, stock: 20, tiers: ['gold'], rewardId: 'changed' }, tea);
    expect(input).toEqual({
      rewardId: 'afternoon-tea',
      name: tea.name,
      pointsCost: 800,
      kind: 'gift',
      value: {},
      stock: 20,
      validDays: 60,
      locations: ['loc-1'],
      tiers: ['gold'],
      active: true,
      version: 3,
    });
    // Emptied stock: no limit, so no stock sent.
    expect(toRewardInput({ ...form, stock: null }, tea)).not.toHaveProperty('stock');
  });

  it('puts the API field errors on the form fields', () => {
    expect(rewardFieldOf('name.zh-CN')).toEqual(['nameZh']);
    expect(rewardFieldOf('value.currency')).toEqual(['currency']);
    expect(rewardFieldOf('locations[1]')).toEqual(['locations']);
    expect(rewardFieldOf('tiers')).toEqual(['tiers']);
    expect(rewardFieldOf('version')).toBeUndefined();
  });

  it('makes an id from the English name', () => {
    expect(idFromName('Afternoon Tea for Two!')).toBe('afternoon-tea-for-two');
    expect(idFromName('  ')).toBe('');
  });

  it('names in the locale, else the other', () => {
    expect(nameIn(tea.name, 'zh-CN')).toBe('双人下午茶');
    expect(nameIn({ 'zh-CN': '', en: 'Tea' }, 'zh-CN')).toBe('Tea');
    expect(nameIn(undefined, 'en')).toBe('');
  });
});
