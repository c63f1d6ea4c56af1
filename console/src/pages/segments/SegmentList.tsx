import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Card, Table, Typography, type TableColumnsType } from 'antd';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import segments from '../../i18n/segments';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { Conditions } from './Conditions';
import type { Segment } from './segment';

export const SEGMENTS_KEY = ['/v1/segments'] as const;

/** The segments of the picked location (or of all mine), newest first. */
export function SegmentList() {
  const t = useT(segments);
  const locale = useLocale();
  const api = useApi();
  const { locationId, locations, zoneOf } = useLocationScope();
  const q = useQuery({
    queryKey: SEGMENTS_KEY,
    queryFn: async () => (await call(api.GET('/v1/segments'))) as unknown as { items: Segment[] },
  });
  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  const names = new Map(locations.map((l) => [l.locationId, l.name]));
  const items = (q.data?.items ?? [])
    .filter((s) => !locationId || s.filter.locationId === locationId)
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  const columns: TableColumnsType<Segment> = [
    {
      title: t('list.name'),
      key: 'name',
      render: (_, s) => (
        <Link to={`/segments/${encodeURIComponent(s.segmentId)}`} translate="no">
          {s.name}
        </Link>
      ),
    },
    {
      title: t('list.location'),
      key: 'location',
      responsive: ['md'],
      render: (_, s) => <span translate="no">{names.get(s.filter.locationId) ?? s.filter.locationId}</span>,
    },
    { title: t('list.conditions'), key: 'conditions', render: (_, s) => <Conditions filter={s.filter} /> },
    {
      title: t('list.created'),
      key: 'created',
      responsive: ['md'],
      render: (_, s) => (s.createdAt ? formatDateTime(s.createdAt, zoneOf(s.filter.locationId), locale) : '—'),
    },
  ];
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('list.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('list.intro')}</Typography.Paragraph>
      <Table<Segment>
        rowKey="segmentId"
        columns={columns}
        dataSource={items}
        loading={q.isPending}
        pagination={items.length > 20 ? { pageSize: 20 } : false}
        size="middle"
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: q.isPending ? t('loading') : t('list.empty') }}
      />
    </Card>
  );
}
