import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/error';
import { dottedPath, isVersionConflict, placeFieldErrors } from './apiErrors';
import {
  complaintFieldOf,
  complaintFromForm,
  complaintToForm,
  loyaltyFromForm,
  loyaltyToForm,
  valueFieldOf,
  valueFromForm,
  valueToForm,
  type ComplaintSettings,
  type LoyaltyRules,
  type ValueSettings,
} from './settingsForms';

describe('API field errors on forms', () => {
  it('turns dotted fields into name paths', () => {
    expect(dottedPath('referral.maxPerYear')).toEqual(['referral', 'maxPerYear']);
    expect(dottedPath('tiers[2].name')).toEqual(['tiers', 2, 'name']);
    expect(dottedPath('currency')).toEqual(['currency']);
  });

  it('gathers a 400’s errors per field and keeps those without a field apart', () => {
    const e = new ApiError({
      status: 400,
      title: 'Bad Request',
      fields: [
        { field: 'tiers[1].threshold', message: 'must be greater' },
        { field: 'tiers[1].threshold', message: 'again' },
        { field: 'version', message: 'is required' },
      ],
    });
    const placed = placeFieldErrors(e, (f) => (f === 'version' ? undefined : dottedPath(f)));
    expect(placed?.onFields).toEqual([{ name: ['tiers', 1, 'threshold'], messages: ['must be greater', 'again'] }]);
    expect(placed?.elsewhere).toEqual([{ field: 'version', message: 'is required' }]);
  });

  it('leaves a conflict to be said in words', () => {
    const conflict = new ApiError({ status: 409, title: 'Conflict' });
    expect(placeFieldErrors(conflict, dottedPath)).toBeUndefined();
    expect(isVersionConflict(conflict)).toBe(true);
    expect(isVersionConflict(new ApiError({ status: 412, title: 'Precondition Failed' }))).toBe(true);
    expect(isVersionConflict(new ApiError({ status: 400, title: 'Bad Request' }))).toBe(false);
  });
});

describe('complaint settings', () => {
  const read: ComplaintSettings = {
    categories: ['billing'],
    rootCauses: ['process'],
    policies: { low: { acknowledgeMinutes: 480, resolveMinutes: 2400 }, normal: { acknowledgeMinutes: 240, resolveMinutes: 1440 }, high: { acknowledgeMinutes: 120, resolveMinutes: 480 }, critical: { acknowledgeMinutes: 30, resolveMinutes: 240 } },
    ladder: [{ at: 0.8, notify: 'assignee' }, { at: 1.5, notify: 'head_office' }],
    teams: { desk: [{ id: 'a-1' }] },
    rules: [{ team: 'desk' }],
    reopenWindowDays: 14,
    callbackAfterDays: 3,
    version: 2,
  };

  it('edits the ladder in percent and sends shares, keeping teams and rules', () => {
    const f = complaintToForm(read);
    expect(f.ladder).toEqual([{ percent: 80, notify: 'assignee' }, { percent: 150, notify: 'head_office' }]);
    f.ladder.push({ percent: 200, notify: 'managers' });
    f.categories = [' billing ', 'noise', 'noise'];
    const out = complaintFromForm(f, read);
    expect(out.ladder).toEqual([{ at: 0.8, notify: 'assignee' }, { at: 1.5, notify: 'head_office' }, { at: 2, notify: 'managers' }]);
    expect(out.categories).toEqual(['billing', 'noise']);
    expect(out.teams).toEqual(read.teams);
    expect(out.rules).toEqual(read.rules);
    expect(out.version).toBe(2);
  });

  it('places the API’s errors', () => {
    expect(complaintFieldOf('categories[1]')).toEqual(['categories']);
    expect(complaintFieldOf('ladder[1].at')).toEqual(['ladder', 1, 'percent']);
    expect(complaintFieldOf('policies.high.resolveMinutes')).toEqual(['policies', 'high', 'resolveMinutes']);
    expect(complaintFieldOf('teams.desk[0].id')).toBeUndefined();
  });
});

describe('loyalty rules', () => {
  it('sends the edited fields with the promotions and multipliers as read', () => {
    const read: LoyaltyRules = {
      currency: 'CNY',
      pointsPerUnit: 1,
      tierMultipliers: { gold: 1.5 },
      promotions: [{ id: 'p1' }],
      capPerTransaction: 0,
      pendingDays: 0,
      expiryMonths: 12,
      reminderDays: 30,
      tiers: [{ name: 'member', threshold: 0 }],
      graceDays: 30,
      referral: { referrerBonus: 500, refereeBonus: 200, qualifyingAmount: 100, maxPerYear: 20 },
      birthdayBonus: 100,
      version: 0,
    };
    const f = loyaltyToForm(read);
    f.currency = 'hkd';
    f.tiers.push({ name: ' gold ', threshold: 5000 });
    const out = loyaltyFromForm(f, read);
    expect(out.currency).toBe('HKD');
    expect(out.tiers).toEqual([{ name: 'member', threshold: 0 }, { name: 'gold', threshold: 5000 }]);
    expect(out.promotions).toEqual([{ id: 'p1' }]);
    expect(out.tierMultipliers).toEqual({ gold: 1.5 });
    expect(out.version).toBe(0);
    expect(out).not.toHaveProperty('birthdayVoucher', expect.anything());
  });

  it('gives a birthday voucher in the programme’s currency, a percentage, or none', () => {
    const read = {
      currency: 'CNY',
      pointsPerUnit: 1,
      capPerTransaction: 0,
      pendingDays: 0,
      expiryMonths: 12,
      reminderDays: 30,
      tiers: [{ name: 'member', threshold: 0 }],
      graceDays: 30,
      referral: { referrerBonus: 500, refereeBonus: 200, qualifyingAmount: 100, maxPerYear: 20 },
      birthdayBonus: 100,
      birthdayVoucher: { value: { percentOff: 10 }, validDays: 14 },
      version: 3,
    };
    const f = loyaltyToForm(read);
    expect(f.birthdayVoucherKind).toBe('percent');
    expect(f.birthdayVoucher).toEqual({ value: { amountOff: undefined, percentOff: 10 }, validDays: 14 });
    expect(loyaltyFromForm(f, read).birthdayVoucher).toEqual({ value: { percentOff: 10 }, validDays: 14 });
    f.birthdayVoucherKind = 'amount';
    f.birthdayVoucher = { value: { amountOff: 50, percentOff: 10 }, validDays: 30 };
    expect(loyaltyFromForm(f, read).birthdayVoucher).toEqual({ value: { amountOff: 50, currency: 'CNY' }, validDays: 30 });
    f.birthdayVoucherKind = 'none';
    expect(JSON.parse(JSON.stringify(loyaltyFromForm(f, read)))).not.toHaveProperty('birthdayVoucher');
    expect(loyaltyToForm({ ...read, birthdayVoucher: undefined })).toMatchObject({ birthdayVoucherKind: 'none', birthdayVoucher: { validDays: 30 } });
  });
});

describe('value settings', () => {
  const read: ValueSettings = {
    rfm: {},
    abc: { aShare: 0.7 },
    clv: {},
    wordOfMouth: {},
    winBack: { days: 90, periodDays: 90, locations: { 'loc-2': 30 } },
    version: 5,
  };

  it('shows defaults (0) as empty and sends them as 0', () => {
    const f = valueToForm(read);
    expect(f.abc).toEqual({ aShare: 0.7, bShare: null, minR: null, minF: null });
    expect(f.rfm.method).toBe('quintiles');
    const out = valueFromForm(f, read);
    expect(out.abc).toEqual({ aShare: 0.7, bShare: 0, minR: 0, minF: 0 });
    expect(out.rfm).toEqual({ method: 'quintiles' });
    expect(out.version).toBe(5);
  });

  it('sends thresholds only when filled, and per-location days as a map', () => {
    const f = valueToForm(read);
    f.rfm = { method: 'thresholds', recencyDays: [30, 60, 90, 180], frequency: [2, 4, 8, 16], monetary: [null, null, null, null] };
    f.winBack.locations.push({ locationId: 'loc-1', days: 0 });
    const out = valueFromForm(f, read);
    expect(out.rfm).toEqual({ method: 'thresholds', recencyDays: [30, 60, 90, 180], frequency: [2, 4, 8, 16] });
    expect(out.winBack).toEqual({ days: 90, periodDays: 90, locations: { 'loc-2': 30, 'loc-1': 0 } });
    expect(valueFieldOf('winBack.locations.loc-1', f)).toEqual(['winBack', 'locations', 1, 'days']);
    expect(valueFieldOf('rfm.frequency', f)).toEqual(['rfm', 'frequency', 0]);
    expect(valueFieldOf('abc.bShare', f)).toEqual(['abc', 'bShare']);
  });

  it('leaves out the location map when no location has its own days', () => {
    const f = valueToForm({ ...read, winBack: { days: 0, periodDays: 90 } });
    expect(valueFromForm(f, read).winBack).toEqual({ days: 0, periodDays: 90 });
  });
});
