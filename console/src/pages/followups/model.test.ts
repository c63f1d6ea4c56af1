import { describe, expect, it } from 'vitest';
import {
  cancellable,
  channelOf,
  customerOf,
  defaultDue,
  dueBounds,
  givenTime,
  instantToZoned,
  matches,
  mergeByDue,
  readFilters,
  scheduleBody,
  writeFilters,
  zonedToInstant,
  type Chunk,
  type Followup,
} from './model';

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
    expect(channelOf({ recipient: { type: 'customer', channel: 'sms', address: '+8613800138000' } })).toBe('sms');
    expect(channelOf({ recipient: { type: 'customer', channel: '', address: '' } })).toBeUndefined();
  });
});

describe('givenTime', () => {
  it('reads Go zero times as no time', () => {
    expect(givenTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(givenTime(undefined)).toBeUndefined();
    expect(givenTime('2026-12-07T02:00:00Z')).toBe('2026-12-07T02:00:00Z');
  });
});

describe('location list filters', () => {
  it('reads Today\'s drill-down link and leaves out what it does not know', () => {
    expect(readFilters(new URLSearchParams('kind=complaint-callback&status=scheduled'))).toEqual({
      status: ['scheduled'],
      kind: ['complaint-callback'],
      from: '',
      to: '',
    });
    expect(readFilters(new URLSearchParams('status=scheduled,queued,bogus,queued&kind=nope&from=2026-12-07&to=2026-13-40'))).toEqual({
      status: ['scheduled', 'queued'],
      kind: [],
      from: '2026-12-07',
      to: '',
    });
  });
  it('writes the filters into the address, keeping the other parameters', () => {
    const next = writeFilters(new URLSearchParams('locationId=loc-1&status=sent'), { status: ['failed', 'skipped'], kind: [], from: '2026-12-01', to: '' });
    expect(next.toString()).toBe('locationId=loc-1&status=failed%2Cskipped&from=2026-12-01');
    expect(readFilters(next)).toEqual({ status: ['failed', 'skipped'], kind: [], from: '2026-12-01', to: '' });
  });
  it('picks by status and kind, all when none is picked', () => {
    const f = { status: 'scheduled' as const, kind: 'complaint-callback' };
    expect(matches(f, { status: [], kind: [] })).toBe(true);
    expect(matches(f, { status: ['scheduled', 'queued'], kind: ['complaint-callback'] })).toBe(true);
    expect(matches(f, { status: ['sent'], kind: [] })).toBe(false);
    expect(matches(f, { status: [], kind: ['message'] })).toBe(false);
  });
  it('bounds whole days at the location, the last day included', () => {
    expect(dueBounds({ from: '2026-12-07', to: '2026-12-07' }, 'Asia/Shanghai')).toEqual({
      from: '2026-12-06T16:00:00.000Z',
      to: '2026-12-07T15:59:59.999Z',
    });
    expect(dueBounds({ from: '', to: '2026-12-31' }, 'Europe/London')).toEqual({ to: '2026-12-31T23:59:59.999Z' });
    expect(dueBounds({ from: '', to: '' }, 'UTC')).toEqual({});
    expect(dueBounds({ from: '2026-12-08', to: '2026-12-07' }, 'UTC')).toEqual({ field: 'to' });
  });
  it('finds the customer a follow-up goes to, none for staff', () => {
    expect(customerOf({ recipient: { type: 'customer', id: 'c-1', channel: 'email', address: 'c1@example.com' } })).toBe('c-1');
    expect(customerOf({ recipient: { type: 'staff', id: 'mgr', channel: 'email', address: 'm@example.com' } })).toBeUndefined();
    expect(customerOf({ recipient: { type: 'customer', channel: 'email', address: 'c1@example.com' } })).toBeUndefined();
  });
});

describe('mergeByDue', () => {
  const f = (id: string, day: number, locationId: string): Followup => ({
    followupId: id,
    kind: 'message',
    status: 'scheduled',
    dueAt: `2026-12-${String(day).padStart(2, '0')}T02:00:00Z`,
    requestedAt: `2026-12-${String(day).padStart(2, '0')}T02:00:00Z`,
    recipient: { type: 'customer', id: 'c-' + id, channel: 'email', address: 'guest@example.com' },
    locationId,
  });
  const chunk = (locationId: string, days: number[], nextCursor: string | null): Chunk => ({
    locationId,
    items: days.map((d) => f(`${locationId}-${d}`, d, locationId)),
    nextCursor,
  });
  const ids = (m: { items: Followup[] }) => m.items.map((x) => x.followupId);

  it('shows one location\'s list as it is', () => {
    const m = mergeByDue([[chunk('a', [9, 5, 2], 'a2')]]);
    expect(ids(m)).toEqual(['a-9', 'a-5', 'a-2']);
    expect(m.next).toEqual({ a: 'a2' });
    expect(mergeByDue([[chunk('a', [9, 5, 2], null)]]).next).toBeUndefined();
  });

  it('holds back what a location with more to load may still come before', () => {
    // a has more after the 6th; b is complete: b's 3rd waits, as a's next page may hold the 4th.
    const first = mergeByDue([[chunk('a', [9, 6], 'a2'), chunk('b', [8, 3], null)]]);
    expect(ids(first)).toEqual(['a-9', 'b-8', 'a-6']);
    expect(first.next).toEqual({ a: 'a2' });
    const second = mergeByDue([[chunk('a', [9, 6], 'a2'), chunk('b', [8, 3], null)], [chunk('a', [4, 1], null)]]);
    expect(ids(second)).toEqual(['a-9', 'b-8', 'a-6', 'a-4', 'b-3', 'a-1']);
    expect(second.next).toBeUndefined();
  });

  it('fetches next the location that holds the rest back', () => {
    const m = mergeByDue([[chunk('a', [9, 6], 'a2'), chunk('b', [8, 7], 'b2')]]);
    expect(ids(m)).toEqual(['a-9', 'b-8', 'b-7']);
    expect(m.next).toEqual({ b: 'b2' });
  });

  it('shows nothing past a location whose page came back empty with more to load', () => {
    const m = mergeByDue([[chunk('a', [9], null), chunk('b', [], 'b2')]]);
    expect(ids(m)).toEqual([]);
    expect(m.next).toEqual({ b: 'b2' });
  });
});
