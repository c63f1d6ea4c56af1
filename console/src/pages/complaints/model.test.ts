import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../auth/principal';
import {
  actionBody,
  allowedActions,
  effectiveLocation,
  fieldPath,
  filtersFromSearch,
  filtersToSearch,
  intakeBody,
  mergeCases,
  queueHref,
  queueQueries,
  slaClock,
  sortBySla,
  timelineView,
  type Complaint,
} from './model';

const person = (groups: string[]) => principalFromClaims({ sub: 'u-1', 'cognito:groups': groups, 'custom:locations': 'loc-1' });

function complaint(over: Partial<Complaint>): Complaint {
  return {
    complaintId: 'c-1',
    reference: 'HB01-20261206-0001',
    locationId: 'loc-1',
    channel: 'phone',
    category: 'billing',
    severity: 'normal',
    status: 'received',
    version: 1,
    createdAt: '2026-12-06T01:00:00Z',
    acknowledgeBy: '2026-12-06T03:00:00Z',
    resolveBy: '2026-12-08T01:00:00Z',
    breached: false,
    ...over,
  };
}

describe('queue filters in the address', () => {
  it('round-trip, in a fixed order', () => {
    const f = { status: 'open' as const, locationId: 'loc-1', assignee: 'dev-agent', breached: true };
    const sp = filtersToSearch(f);
    expect(sp.toString()).toBe('status=open&locationId=loc-1&assignee=dev-agent&breached=true');
    expect(filtersFromSearch(sp)).toEqual(f);
    expect(queueHref({ status: 'open', locationId: 'loc-2', breached: true })).toBe('/complaints?status=open&locationId=loc-2&breached=true');
    expect(queueHref({})).toBe('/complaints');
  });

  it('drop what is not a filter value', () => {
    expect(filtersFromSearch(new URLSearchParams('status=lost&breached=maybe&assignee=%20%20'))).toEqual({});
    expect(filtersFromSearch(new URLSearchParams('breached=false&status=pending_customer'))).toEqual({
      status: 'pending_customer',
      breached: false,
    });
  });

  it('read the header location unless the address names one or all', () => {
    expect(effectiveLocation({}, 'loc-1')).toBe('loc-1');
    expect(effectiveLocation({ locationId: 'loc-2' }, 'loc-1')).toBe('loc-2');
    expect(effectiveLocation({ locationId: '*' }, 'loc-1')).toBeUndefined();
  });

  it('ask one status at a time for "open"', () => {
    const qs = queueQueries({ status: 'open', breached: true }, 'loc-1');
    expect(qs.map((q) => q.status)).toEqual(['received', 'acknowledged', 'in_progress', 'pending_customer']);
    expect(qs.every((q) => q.breached === true && q.locationId === 'loc-1' && q.limit === 200)).toBe(true);
    expect(queueQueries({ assignee: 'dev-agent' }, undefined)).toEqual([{ limit: 200, assignee: 'dev-agent' }]);
    expect(queueQueries({ status: 'closed' }, undefined)).toEqual([{ limit: 200, status: 'closed' }]);
  });
});

describe('SLA order', () => {
  it('races acknowledgement first, then resolution; none once resolved', () => {
    expect(slaClock(complaint({}))).toEqual({ which: 'acknowledge', dueAt: '2026-12-06T03:00:00Z', paused: false });
    expect(slaClock(complaint({ status: 'in_progress' }))).toEqual({ which: 'resolve', dueAt: '2026-12-08T01:00:00Z', paused: false });
    expect(slaClock(complaint({ status: 'pending_customer', resolveClock: { pausedSince: '2026-12-06T02:00:00Z' } }))?.paused).toBe(true);
    expect(slaClock(complaint({ status: 'resolved' }))).toBeUndefined();
  });

  it('puts the soonest due first, paused clocks after, cases without a clock last (newest first)', () => {
    const items = [
      complaint({ complaintId: 'closed-old', status: 'closed', createdAt: '2026-11-01T00:00:00Z' }),
      complaint({ complaintId: 'paused', status: 'pending_customer', resolveBy: '2026-12-06T00:30:00Z', resolveClock: { pausedSince: '2026-12-05T00:00:00Z' } }),
      complaint({ complaintId: 'resolve-late', status: 'in_progress', resolveBy: '2026-12-09T00:00:00Z' }),
      complaint({ complaintId: 'overdue', status: 'received', acknowledgeBy: '2026-12-05T00:00:00Z' }),
      complaint({ complaintId: 'resolved-new', status: 'resolved', createdAt: '2026-12-05T00:00:00Z' }),
      complaint({ complaintId: 'ack-soon', status: 'received', acknowledgeBy: '2026-12-06T02:00:00Z' }),
    ];
    expect(sortBySla(items).map((c) => c.complaintId)).toEqual(['overdue', 'ack-soon', 'resolve-late', 'paused', 'resolved-new', 'closed-old']);
  });

  it('merges pages, each case once', () => {
    const a = complaint({ complaintId: 'a' });
    const b = complaint({ complaintId: 'b' });
    expect(mergeCases([{ items: [a, b] }, { items: [b] }]).map((c) => c.complaintId)).toEqual(['a', 'b']);
  });
});

describe('actions offered', () => {
  it('follow the status (shared/complaint transitions)', () => {
    const agent = person(['agent']);
    expect(allowedActions('received', agent)).toEqual(['acknowledge', 'start', 'assign', 'note', 'triage', 'resolve']);
    expect(allowedActions('acknowledged', agent)).toEqual(['start', 'assign', 'note', 'await_customer', 'triage', 'resolve']);
    expect(allowedActions('pending_customer', agent)).toEqual(['assign', 'note', 'resume', 'triage', 'resolve']);
    expect(allowedActions('in_progress', agent)).toEqual(['assign', 'note', 'await_customer', 'triage', 'resolve']);
  });

  it('leave close and reopen to managers and administrators', () => {
    expect(allowedActions('resolved', person(['agent']))).toEqual(['note']);
    expect(allowedActions('resolved', person(['manager']))).toEqual(['note', 'close', 'reopen']);
    expect(allowedActions('closed', person(['admin']))).toEqual(['note', 'reopen']);
    expect(allowedActions('received', person([]))).toEqual([]);
  });
});

describe('what the forms send', () => {
  it('sends only the fields an action uses, with the version read', () => {
    expect(actionBody('acknowledge', { assignee: 'x', note: '  ' }, 3)).toEqual({ action: 'acknowledge', version: 3 });
    expect(actionBody('assign', { assignee: ' dev-agent ', team: '' }, 2)).toEqual({ action: 'assign', version: 2, assignee: 'dev-agent' });
    expect(actionBody('note', { note: ' called back ', public: true, resolution: 'x' }, 4)).toEqual({
      action: 'note',
      version: 4,
      note: 'called back',
      public: true,
    });
    expect(actionBody('note', { note: 'inside' }, 4)).toMatchObject({ public: false });
    expect(actionBody('resolve', { resolution: ' refunded ', rootCause: 'process', compensationPoints: 200, note: 'gm ok' }, 5)).toEqual({
      action: 'resolve',
      version: 5,
      resolution: 'refunded',
      rootCause: 'process',
      compensationPoints: 200,
      note: 'gm ok',
    });
    // A voucher beside the points: an amount off (the location's currency), 30 days
    // unless said; none when no amount is given.
    expect(actionBody('resolve', { resolution: 'x', rootCause: 'process', voucherAmount: 50 }, 6)).toMatchObject({
      compensationPoints: 0,
      compensation: { voucher: { value: { amountOff: 50 }, validDays: 30 } },
    });
    expect(actionBody('resolve', { resolution: 'x', rootCause: 'process', voucherAmount: 20, voucherDays: 7 }, 6).compensation).toEqual({
      voucher: { value: { amountOff: 20 }, validDays: 7 },
    });
    expect(actionBody('resolve', { resolution: 'x', rootCause: 'process', voucherAmount: null }, 6).compensation).toBeUndefined();
    expect(actionBody('resolve', { resolution: 'r', rootCause: 'other', compensationPoints: null }, 5).compensationPoints).toBe(0);
    expect(actionBody('triage', { severity: 'high' }, 6)).toEqual({ action: 'triage', version: 6, severity: 'high' });
  });

  it('trims the intake and leaves out empty optional fields', () => {
    expect(
      intakeBody({
        channel: 'walk-in',
        locationId: 'loc-1',
        category: 'billing',
        severity: 'high',
        customerId: '',
        contact: { name: ' Li Lei ', phone: ' ', email: 'li@example.com', locale: '' },
        description: ' charged twice ',
        assignee: '',
        staffId: ' ',
      }),
    ).toEqual({
      channel: 'walk-in',
      locationId: 'loc-1',
      category: 'billing',
      severity: 'high',
      description: 'charged twice',
      contact: { name: 'Li Lei', email: 'li@example.com' },
    });
    expect(
      intakeBody({
        channel: 'phone',
        locationId: 'loc-1',
        category: 'other',
        severity: 'normal',
        customerId: 'c-9',
        contact: { name: 'Han', locale: 'zh-CN' },
        description: 'x',
        assignee: 'dev-agent',
        staffId: ' pos:clerk-7 ',
      }),
    ).toMatchObject({ customerId: 'c-9', assignee: 'dev-agent', staffId: 'pos:clerk-7', contact: { name: 'Han', locale: 'zh-CN' } });
  });

  it('maps a problem field to the form field', () => {
    expect(fieldPath('contact.email')).toEqual(['contact', 'email']);
    expect(fieldPath('rootCause')).toEqual(['rootCause']);
  });
});

describe('timeline views', () => {
  const events = [
    { seq: 1, type: 'received', internal: false, at: '2026-12-06T01:00:00Z' },
    { seq: 2, type: 'assign', internal: true, at: '2026-12-06T01:05:00Z' },
    { seq: 3, type: 'note', internal: false, at: '2026-12-06T01:10:00Z' },
  ];
  it('shows newest first, split by who sees them', () => {
    expect(timelineView(events, 'all').map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(timelineView(events, 'public').map((e) => e.seq)).toEqual([3, 1]);
    expect(timelineView(events, 'internal').map((e) => e.seq)).toEqual([2]);
  });
});
