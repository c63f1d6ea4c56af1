import { describe, expect, it } from 'vitest';
import { checkShifts, locationFieldOf, toForm, toLocation, type StoredLocation } from './locationForm';

const stored: StoredLocation = {
  locationId: 'loc-9',
  name: 'Harbour Hotel',
  code: 'HH09',
  timeZone: 'Asia/Shanghai',
  currency: 'CNY',
  weeklyHours: { mon: ['09:00-18:00'], sat: ['10:00-14:00'] },
  holidays: ['2027-02-10', '2027-01-01'],
  quietHours: '22:00-08:00',
  managers: [{ name: 'Duty', channel: 'email', address: 'duty@example.com', locale: 'zh-CN' }],
  branding: { name: 'Harbour', color: '#0b5cad' },
  postServiceSurvey: { surveyId: 'demo-stay', delayMinutes: 60, expiresInHours: 168 },
  version: 4,
  updatedAt: '2026-12-06T07:42:00Z',
};

describe('the location form', () => {
  it('reads a location into the form, a day without hours closed', () => {
    const f = toForm(stored);
    expect(f.hours.mon).toEqual([{ start: '09:00', end: '18:00' }]);
    expect(f.hours.tue).toEqual([]);
    expect(f.holidays).toEqual(['2027-01-01', '2027-02-10']);
    expect([f.quietFrom, f.quietTo]).toEqual(['22:00', '08:00']);
    expect(f.color).toBe('#0b5cad');
  });

  it('starts a new location with the default quiet hours and nothing else', () => {
    const f = toForm();
    expect([f.quietFrom, f.quietTo]).toEqual(['21:00', '09:00']);
    expect(Object.values(f.hours).every((d) => d.length === 0)).toBe(true);
  });

  it('sends a split shift sorted, keeps what the form does not edit and the version read', () => {
    const f = toForm(stored);
    f.hours.mon = [
      { start: '13:00', end: '18:00' },
      { start: '09:00', end: '12:00' },
    ];
    f.hours.sat = [];
    const l = toLocation(f, stored);
    expect(l.weeklyHours).toEqual({ mon: ['09:00-12:00', '13:00-18:00'] });
    expect(l.postServiceSurvey).toEqual(stored.postServiceSurvey);
    expect(l.version).toBe(4);
    expect(l.locationId).toBe('loc-9');
    expect(l.updatedAt).toBeUndefined();
    expect(l.quietHours).toBe('22:00-08:00');
    expect(l.currency).toBe('CNY');
  });

  it('leaves out empty branding and code, and trims', () => {
    const f = toForm();
    Object.assign(f, { locationId: ' new-1 ', name: ' New ', timeZone: 'Europe/London', code: '', currency: 'gbp' });
    const l = toLocation(f);
    expect(l).toMatchObject({ locationId: 'new-1', name: 'New', currency: 'GBP', branding: {}, managers: [], holidays: [] });
    expect('code' in l).toBe(false);
    expect('currency' in toLocation({ ...f, currency: '' })).toBe(false);
  });

  it('checks a day’s shifts as the API does', () => {
    expect(checkShifts([{ start: '09:00', end: '12:00' }, { start: '13:00', end: '24:00' }])).toBeUndefined();
    expect(checkShifts([{ start: '9:00', end: '12:00' }])).toBe('shift.format');
    expect(checkShifts([{ start: '12:00', end: '09:00' }])).toBe('shift.endBeforeStart');
    expect(checkShifts([{ start: '09:00', end: '13:00' }, { start: '12:00', end: '18:00' }])).toBe('shift.overlap');
    expect(checkShifts([])).toBeUndefined();
  });

  it('puts the API’s field errors on the form’s fields', () => {
    expect(locationFieldOf('weeklyHours.mon')).toEqual(['hours', 'mon']);
    expect(locationFieldOf('holidays[2]')).toEqual(['holidays']);
    expect(locationFieldOf('managers[1]')).toEqual(['managers', 1, 'address']);
    expect(locationFieldOf('managers[0].locale')).toEqual(['managers', 0, 'locale']);
    expect(locationFieldOf('branding.logoUrl')).toEqual(['logoUrl']);
    expect(locationFieldOf('quietHours')).toEqual(['quietFrom']);
    expect(locationFieldOf('currency')).toEqual(['currency']);
    expect(locationFieldOf('version')).toBeUndefined();
    expect(locationFieldOf('weeklyHours.funday')).toBeUndefined();
  });
});
