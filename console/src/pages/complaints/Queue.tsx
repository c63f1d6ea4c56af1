import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQueries } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Flex, Form, Grid, Input, Row, Select, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined, UserOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { useAuth } from '../../auth/AuthProvider';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import { RoleGate } from '../../components/RoleGate';
import complaints from '../../i18n/complaints';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { useLabel } from './labels';
import { STATUS_COLOR, SlaCell } from './SlaCell';
import {
  ALL_LOCATIONS,
  QUEUE_LIMIT,
  STATUSES,
  effectiveLocation,
  filtersFromSearch,
  filtersToSearch,
  mergeCases,
  queueQueries,
  sortBySla,
  type Complaint,
  type QueueFilters,
} from './model';

/**
 * The staff queue: filters (status, location, assignee, breach) kept in the address so
 * that a link from Today and a reload show the same cases; sorted by the SLA clock each
 * case races, with live countdowns.
 */
export function Queue() {
  const t = useT(complaints);
  const label = useLabel();
  const locale = useLocale();
  const api = useApi();
  const navigate = useNavigate();
  const { principal } = useAuth();
  const scope = useLocationScope();
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const locationId = effectiveLocation(filters, scope.locationId);
  const queries = queueQueries(filters, locationId);
  const results = useQueries({
    queries: queries.map((query) => ({
      queryKey: ['/v1/complaints', query],
      queryFn: () => call(api.GET('/v1/complaints', { params: { query } })),
      // The header's location is known once the locations are read.
      enabled: !scope.loading,
    })),
  });
  const [assigneeDraft, setAssigneeDraft] = useState<string | undefined>(undefined);

  const update = (next: QueueFilters) => setSearch(filtersToSearch(next), { replace: true });
  const failed = results.find((r) => r.isError);
  const loading = scope.loading || results.some((r) => r.isPending);
  const items = sortBySla(mergeCases(results.flatMap((r) => (r.data ? [r.data] : []))));
  const more = results.some((r) => r.data?.nextCursor);
  const byId = new Map(scope.locations.map((l) => [l.locationId, l]));

  // Phones get a list of cards; wider screens a table.
  const phone = Grid.useBreakpoint().sm === false;
  const reference = (c: Complaint) => (
    <Link to={`/complaints/${encodeURIComponent(c.complaintId)}`} aria-label={t('queue.open', { reference: c.reference })}>
      <span translate="no">{c.reference}</span>
    </Link>
  );
  const statusTags = (c: Complaint) => (
    <span>
      <Tag color={STATUS_COLOR[c.status]}>{label('status', c.status)}</Tag>
      {c.breached && <Tag color="red">{t('breachedTag')}</Tag>}
    </span>
  );
  const columns: TableColumnsType<Complaint> = [
    {
      title: t('queue.reference'),
      key: 'reference',
      fixed: 'left',
      render: (_, c) => reference(c),
    },
    {
      title: t('queue.due'),
      key: 'due',
      render: (_, c) => <SlaCell c={c} timeZone={scope.zoneOf(c.locationId)} />,
    },
    {
      title: t('queue.status'),
      key: 'status',
      render: (_, c) => statusTags(c),
    },
    { title: t('queue.severity'), key: 'severity', render: (_, c) => label('severity', c.severity) },
    { title: t('queue.category'), key: 'category', responsive: ['sm'], render: (_, c) => label('category', c.category) },
    {
      title: t('queue.customer'),
      key: 'customer',
      responsive: ['md'],
      render: (_, c) => <span translate="no">{c.contact?.name ?? c.customerId ?? '—'}</span>,
    },
    {
      title: t('queue.location'),
      key: 'location',
      responsive: ['lg'],
      render: (_, c) => <span translate="no">{byId.get(c.locationId)?.name ?? c.locationId}</span>,
    },
    {
      title: t('queue.assignee'),
      key: 'assignee',
      responsive: ['lg'],
      render: (_, c) => <span translate="no">{c.assignee ?? '—'}</span>,
    },
    {
      title: t('queue.received'),
      key: 'created',
      responsive: ['md'],
      render: (_, c) => formatDateTime(c.createdAt, scope.zoneOf(c.locationId), locale),
    },
  ];

  const statusOptions = [
    { value: '', label: t('queue.status.any') },
    { value: 'open', label: t('queue.status.open') },
    ...STATUSES.map((s) => ({ value: s, label: label('status', s) })),
  ];
  const locationOptions = [
    { value: ALL_LOCATIONS, label: t('queue.location.all') },
    ...scope.locations.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> })),
  ];
  const breachedOptions = [
    { value: '', label: t('queue.breached.any') },
    { value: 'true', label: t('queue.breached.yes') },
    { value: 'false', label: t('queue.breached.no') },
  ];
  const mine = filters.assignee !== undefined && filters.assignee === principal.subject;

  return (
    <Page
      title={t('title')}
      extra={
        <RoleGate action="complaint.act">
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/complaints/new')}>
            {t('queue.new')}
          </Button>
        </RoleGate>
      }
    >
      <Card size="small" style={{ marginBottom: 16 }} title={<h2 style={{ fontSize: 14, margin: 0 }}>{t('queue.filters')}</h2>}>
        <Form layout="vertical" component="div">
          <Row gutter={[12, 0]}>
            <Col xs={12} lg={6}>
              <Form.Item label={t('queue.status')} htmlFor="queue-status" style={{ marginBottom: 12 }}>
                <Select
                  id="queue-status"
                  value={filters.status ?? ''}
                  options={statusOptions}
                  onChange={(v: string) => update({ ...filters, status: (v || undefined) as QueueFilters['status'] })}
                />
              </Form.Item>
            </Col>
            <Col xs={12} lg={6}>
              <Form.Item label={t('queue.location')} htmlFor="queue-location" style={{ marginBottom: 12 }}>
                <Select
                  id="queue-location"
                  value={locationId ?? ALL_LOCATIONS}
                  options={locationOptions}
                  onChange={(v: string) => update({ ...filters, locationId: v })}
                />
              </Form.Item>
            </Col>
            <Col xs={12} lg={6}>
              <Form.Item label={t('queue.assignee')} htmlFor="queue-assignee" style={{ marginBottom: 12 }}>
                <Input.Search
                  id="queue-assignee"
                  allowClear
                  placeholder={t('queue.assignee.placeholder')}
                  value={assigneeDraft ?? filters.assignee ?? ''}
                  onChange={(e) => setAssigneeDraft(e.target.value)}
                  onSearch={(v) => {
                    setAssigneeDraft(undefined);
                    update({ ...filters, assignee: v.trim() || undefined });
                  }}
                  enterButton={
<Button icon={<UserOutlined />} aria-label={t('queue.assignee.apply')} />
                  }
                />
                <Button
                  size="small"
                  type={mine ? 'primary' : 'default'}
                  aria-pressed={mine}
                  style={{ marginTop: 6 }}
                  onClick={() => {
                    setAssigneeDraft(undefined);
                    update({ ...filters, assignee: mine ? undefined : principal.subject });
                  }}
                >
                  {t('queue.assignee.mine')}
                </Button>
              </Form.Item>
            </Col>
            <Col xs={12} lg={6}>
              <Form.Item label={t('queue.breached')} htmlFor="queue-breached" style={{ marginBottom: 12 }}>
                <Select
                  id="queue-breached"
                  value={filters.breached === undefined ? '' : String(filters.breached)}
                  options={breachedOptions}
                  onChange={(v: string) => update({ ...filters, breached: v === '' ? undefined : v === 'true' })}
                />
              </Form.Item>
            </Col>
          </Row>
          <Button
            onClick={() => {
              setAssigneeDraft(undefined);
              update({});
            }}
          >
            {t('queue.clear')}
          </Button>
        </Form>
      </Card>
      {failed ? (
        <ErrorView error={failed.error} onRetry={() => results.forEach((r) => r.isError && void r.refetch())} />
      ) : (
        <>
          {more && <Alert type="info" showIcon title={t('queue.more', { count: QUEUE_LIMIT })} style={{ marginBottom: 12 }} />}
          {phone ? (
            <Card size="small">
              {loading ? (
                <Typography.Text type="secondary" role="status">
                  {t('queue.loading')}
                </Typography.Text>
              ) : items.length === 0 ? (
                <Typography.Text type="secondary">{t('queue.empty')}</Typography.Text>
              ) : (
                <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                  {items.map((c) => (
                    <li key={c.complaintId} style={{ padding: '10px 0', borderBottom: '1px solid #f0f0f0' }}>
                      <Flex vertical gap={4}>
                        <Flex justify="space-between" wrap gap={4}>
                          {reference(c)}
                          {statusTags(c)}
                        </Flex>
                        <SlaCell c={c} timeZone={scope.zoneOf(c.locationId)} />
                        <Typography.Text type="secondary">
                          {label('category', c.category)} · {label('severity', c.severity)} ·{' '}
                          <span translate="no">{c.contact?.name ?? c.customerId ?? '—'}</span>
                        </Typography.Text>
                      </Flex>
                    </li>
                  ))}
                </ul>
              )}
              <Typography.Paragraph style={{ margin: '10px 0 0' }}>{t('queue.count', { count: items.length })}</Typography.Paragraph>
            </Card>
          ) : (
            <Table<Complaint>
              rowKey="complaintId"
              columns={columns}
              dataSource={items}
              loading={loading}
              pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
              size="middle"
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: loading ? t('queue.loading') : t('queue.empty') }}
              footer={() => t('queue.count', { count: items.length })}
            />
          )}
        </>
      )}
    </Page>
  );
}
