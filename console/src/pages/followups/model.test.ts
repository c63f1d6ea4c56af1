import { describe, expect, it } from 'vitest';
import { cancellable, channelOf, defaultDue, givenTime, instantToZoned, scheduleBody, zonedToInstant } from './model';

describe('zoned times', () => {
  it('reads a wall-clock time in the location zone', () => {
    expect(zonedToInstant('2026-12-07T10:00', 'Asia/Shanghai')?.toISOString()).toBe('2026-12-07T02:00:00.000Z');
    expect(zonedToInstant('2026-07-07T10:00', 'Europe/London')?.toISOString()).toBe('2026-07-07T09:00:00.000Z');
    expect(zonedToInstant('2026-12-07T10:00', 'Europe/London')?.toISOString()).toBe('2026-12-07T10:00:00.000Z');
    expect(zonedToInstant('tomorrow', 'UTC')).toBeUndefined();
  });
  it('turns an instant back into the zone wall clock', () => {
    expect(instantToZoned(new Date('2026-12-07T02:00:00Z'), 'Asia/Shanghai')).toBe('2026-12-07T10:00');
    expect(instantToZoned(new Date('2026-03-29T01:30:00Z'), 'Europe/London')).toBe('2026-03-29T02:30');
  });
  it('proposes tomorrow at 10:00 at the location', () => {
    // 23:30 in Shanghai on the 6th is still the 6th there: tomorrow is the 7th.
    expect(defaultDue(new Date('2026-12-06T15:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-07T10:00');
    // 00:30 on the 7th in Shanghai: tomorrow is the 8th.
    expect(defaultDue(new Date('2026-12-06T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-08T10:00');
  });
});

describe('scheduleBody', () => {
  const now = new Date('2026-12-06T08:00:00Z');
  it('sends a message with its texts, channel and due time read in the zone', () => {
    expect(scheduleBody('c-1', { due: '2026-12-07T10:00', channel: 'sms', zh: ' 您好 ', en: 'Hello' }, 'Asia/Shanghai', undefined, now)).toEqual({
      customerId: 'c-1',
      kind: 'message',
      channel: 'sms',
      dueAt: '2026-12-07T02:00:00.000Z',
      message: { 'zh-CN': '您好', en: 'Hello' },
    });
  });
  it('leaves the channel to the profile and the time to the API when not given', () => {
    expect(scheduleBody('c-1', { due: '', channel: '', zh: '', en: 'Hi' }, 'UTC', 'loc-1', now)).toEqual({
      customerId: 'c-1',
      kind: 'message',
      message: { en: 'Hi' },
      locationId: 'loc-1',
    });
  });
  it('names what is missing or wrong', () => {
    expect(scheduleBody('c-1', { due: '', channel: '', zh: ' ', en: '' }, 'UTC', undefined, now)).toEqual({ field: 'message' });
    expect(scheduleBody('c-1', { due: '7 Dec', channel: '', zh: '好', en: '' }, 'UTC', undefined, now)).toEqual({ field: 'due' });
    expect(scheduleBody('c-1', { due: '2026-12-01T10:00', channel: '', zh: '好', en: '' }, 'UTC', undefined, now)).toEqual({ field: 'duePast' });
  });
});

describe('follow-up state', () => {
  it('is cancellable until it starts sending', () => {
    expect(cancellable({ status: 'scheduled' })).toBe(true);
    expect(cancellable({ status: 'queued' })).toBe(true);
    expect(cancellable({ status: 'sending' })).toBe(false);
    expect(cancellable({ status: 'sent' })).toBe(false);
  });
  it('reads the channel from the recipient', () => {
    expect(channelOf({ recipient: { channel: 'sms' } as never })).toBe('sms');
    expect(channelOf({ recipient: {} })).toBeUndefined();
  });
});

describe('givenTime', () => {
  it('reads Go zero times as no time', () => {
    expect(givenTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(givenTime(undefined)).toBeUndefined();
    expect(givenTime('2026-12-07T02:00:00Z')).toBe('2026-12-07T02:00:00Z');
  });
});
