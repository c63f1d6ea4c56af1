import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Typography, type TableColumnsType } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { ListCard } from '../../components/ListCard';
import { RoleGate } from '../../components/RoleGate';
import { LOCATIONS_KEY } from '../../components/LocationSwitcher';
import settings from '../../i18n/settings';
import { useLocale, useT } from '../../i18n';
import { formatDateTime, formatTime } from '../../lib/format';
import type { Location } from '../../lib/locations';
import { useNow } from '../../lib/useNow';

/**
 * The locations the token may see (GET /v1/locations), each with its time zone and the
 * time it is there now, with a link to edit each and to register a new one. The pattern
 * of a list page: one query keyed by the API path, ErrorView for a failure, times in
 * each row's own zone, data values marked translate="no".
 */
export function Locations() {
  const t = useT(settings);
  const locale = useLocale();
  const api = useApi();
  const now = useNow(60_000);
  const q = useQuery({ queryKey: LOCATIONS_KEY, queryFn: () => call(api.GET('/v1/locations')) });

  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;

  const items = q.data?.items ?? [];
  const columns: TableColumnsType<Location> = [
    {
      title: t('locations.name'),
      dataIndex: 'name',
      key: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (name: string) => <span translate="no">{name}</span>,
    },
    {
      title: t('locations.id'),
      dataIndex: 'locationId',
      key: 'locationId',
      responsive: ['md'],
      render: (id: string) => (
        <Typography.Text code translate="no">
          {id}
        </Typography.Text>
      ),
    },
    { title: t('locations.timeZone'), dataIndex: 'timeZone', key: 'timeZone', render: (z: string) => <span translate="no">{z}</span> },
    {
      title: t('locations.localTime'),
      key: 'localTime',
      render: (_, l) => formatTime(now, l.timeZone, locale),
    },
    {
      title: t('locations.updated'),
      dataIndex: 'updatedAt',
      key: 'updatedAt',
      responsive: ['lg'],
      render: (at: string | undefined, l) => (at ? formatDateTime(at, l.timeZone, locale) : '—'),
    },
    { title: t('locations.version'), dataIndex: 'version', key: 'version', responsive: ['lg'] },
    {
      title: t('locations.actions'),
      key: 'actions',
      render: (_, l) => (
        <RoleGate action="location.edit">
          <Link to={`/settings/locations/${encodeURIComponent(l.locationId)}`} aria-label={t('locations.editOne', { name: l.name })}>
            <EditOutlined aria-hidden /> {t('locations.edit')}
          </Link>
        </RoleGate>
      ),
    },
  ];

  return (
    <ListCard<Location>
      title={t('locations.title')}
      intro={t('locations.intro')}
      create={{ action: 'location.create', label: t('locations.new'), to: '/settings/locations/new' }}
      rowKey="locationId"
      columns={columns}
      items={items}
      loading={q.isPending}
      empty={t('locations.empty')}
      count={t('locations.count', { count: items.length })}
    />
  );
}
