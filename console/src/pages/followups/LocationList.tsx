import { useMemo } from 'react';
import { Link } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Flex, Form, Grid, Input, Row, Select, Tag, Typography, type TableColumnsType } from 'antd';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import followups from '../../i18n/followups';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { Data } from '../customers/parts';
import { FollowupTable } from './FollowupTable';
import { useCancelFollowup } from './cancel';
import { STATUS_COLOR, channelText, kindText, statusText } from './labels';
import { KINDS, STATUSES, channelOf, customerOf, dueBounds, givenTime, matches, mergeByDue, type Chunk, type Filters, type Followup } from './model';

/**
 * The follow-ups of one or several locations (GET /v1/followups?locationId=, latest due
 * first), merged by due time; filtered by status and kind among those loaded, and by
 * the days they are due (at each location) in the API's query.
 */
export function LocationList({ locationIds, filters, onFilters }: { locationIds: string[]; filters: Filters; onFilters: (change: Partial<Filters>) => void }) {
  const t = useT(followups);
  const locale = useLocale();
  const api = useApi();
  const { zoneOf, locations } = useLocationScope();
  const cancel = useCancelFollowup();
  // On a phone the kind goes under the due time, leaving room for status and customer.
  const wide = Grid.useBreakpoint().sm !== false;

  // Each location's bounds in its own zone: "the 7th" is the 7th at that location.
  const bounds = useMemo(() => locationIds.map((l) => [l, dueBounds(filters, zoneOf(l))] as const), [locationIds, filters, zoneOf]);
  const badRange = bounds.some(([, b]) => 'field' in b);

  const q = useInfiniteQuery({
    queryKey: ['/v1/followups', 'location', bounds],
    enabled: !badRange && locationIds.length > 0,
    initialPageParam: Object.fromEntries(locationIds.map((l) => [l, ''])) as Record<string, string>,
    queryFn: ({ pageParam }) =>
      Promise.all(
        Object.entries(pageParam).map(async ([locationId, cursor]): Promise<Chunk> => {
          const b = bounds.find(([l]) => l === locationId)?.[1] ?? {};
          const page = await call(
            api.GET('/v1/followups', { params: { query: { locationId, ...('field' in b ? {} : b), ...(cursor ? { cursor } : {}) } } }),
          );
          return { locationId, items: page.items, nextCursor: page.nextCursor ?? null };
        }),
      ),
    getNextPageParam: (_last, all) => mergeByDue(all).next,
  });
  const merged = useMemo(() => mergeByDue(q.data?.pages ?? []), [q.data]);
  const shown = merged.items.filter((f) => matches(f, filters));
  const several = locationIds.length > 1;

  const at = (v: string | undefined, f: Followup) => {
    const given = givenTime(v);
    return given ? formatDateTime(given, zoneOf(f.locationId), locale) : '—';
  };
  const columns: TableColumnsType<Followup> = [
    {
      title: t('col.due'),
      key: 'due',
      render: (_, f) =>
        wide ? (
          at(f.dueAt, f)
        ) : (
          <Flex vertical>
            <span>{at(f.dueAt, f)}</span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {kindText(t, f.kind)}
            </Typography.Text>
          </Flex>
        ),
    },
    ...(wide ? [{ title: t('col.kind'), dataIndex: 'kind', key: 'kind', render: (k: string) => kindText(t, k) }] : []),
    {
      title: t('col.status'),
      key: 'status',
      render: (_, f) => (
        <Flex vertical gap={2} align="start">
          <Tag color={STATUS_COLOR[f.status] ?? 'default'}>{statusText(t, f.status)}</Tag>
          {f.skipReason && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <Data lang="en">{f.skipReason}</Data>
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      title: t('col.customer'),
      key: 'customer',
      render: (_, f) => {
        const id = customerOf(f);
        return id ? (
          <Link to={`/customers/${encodeURIComponent(id)}`}>
            <Data>{id}</Data>
          </Link>
        ) : (
          t('recipient.staff')
        );
      },
    },
    ...(several
      ? [
          {
            title: t('col.location'),
            key: 'location',
            render: (_: unknown, f: Followup) => <Data>{locations.find((l) => l.locationId === f.locationId)?.name ?? f.locationId ?? '—'}</Data>,
          },
        ]
      : []),
    {
      title: t('col.channel'),
      key: 'channel',
      responsive: ['sm'],
      render: (_, f) => {
        const ch = channelOf(f);
        return ch ? channelText(t, ch) : '—';
      },
    },
    { title: t('col.sent'), key: 'sentAt', responsive: ['md'], render: (_, f) => at(f.sentAt, f) },
    { title: t('col.actions'), key: 'actions', render: (_, f) => cancel.button(f, at(f.dueAt, f)) },
  ];

  const options = (values: readonly string[], text: (v: string) => string) => values.map((v) => ({ value: v, label: text(v) }));
  const noFilters = filters.status.length === 0 && filters.kind.length === 0 && !filters.from && !filters.to;
  return (
    <Flex vertical gap={16}>
      <Card size="small">
        <Form layout="vertical" component="div">
          <Row gutter={[12, 0]}>
            <Col xs={24} sm={12} lg={6}>
              <Form.Item label={t('filter.status')} htmlFor="followups-status">
                <Select
                  id="followups-status"
                  mode="multiple"
                  allowClear
                  placeholder={t('filter.any')}
                  value={filters.status}
                  options={options(STATUSES, (s) => statusText(t, s))}
                  onChange={(status: string[]) => onFilters({ status })}
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Form.Item label={t('filter.kind')} htmlFor="followups-kind">
                <Select
                  id="followups-kind"
                  mode="multiple"
                  allowClear
                  placeholder={t('filter.any')}
                  value={filters.kind}
                  options={options(KINDS, (k) => kindText(t, k))}
                  onChange={(kind: string[]) => onFilters({ kind })}
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Form.Item label={t('filter.from')} htmlFor="followups-from">
                <Input id="followups-from" type="date" value={filters.from} onChange={(e) => onFilters({ from: e.target.value })} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Form.Item
                label={t('filter.to')}
                htmlFor="followups-to"
                validateStatus={badRange ? 'error' : undefined}
                help={badRange ? t('filter.badRange') : undefined}
              >
                <Input id="followups-to" type="date" value={filters.to} onChange={(e) => onFilters({ to: e.target.value })} />
              </Form.Item>
            </Col>
          </Row>
        </Form>
        <Flex justify="space-between" align="center" wrap gap={8}>
          <Typography.Text type="secondary" style={{ fontSize: 12, flex: '1 1 240px' }}>
            {t('filter.hint')}
          </Typography.Text>
          <Button disabled={noFilters} onClick={() => onFilters({ status: [], kind: [], from: '', to: '' })}>
            {t('filter.clear')}
          </Button>
        </Flex>
      </Card>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('list.title')}</h2>} extra={q.data && <span role="status">{t('filter.shown', { shown: shown.length, loaded: merged.items.length })}</span>}>
        <Alert type="info" showIcon title={t('schedule.where')} style={{ marginBottom: 12 }} />
        {cancel.notices}
        {badRange ? null : q.isError ? (
          <ErrorView error={q.error} onRetry={() => void q.refetch()} />
        ) : (
          <FollowupTable columns={columns} items={shown} query={q} emptyText={t('list.emptyLocation')} />
        )}
      </Card>
    </Flex>
  );
}
