import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Tag, Typography, type TableColumnsType } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { ListCard } from '../../components/ListCard';
import { RoleGate } from '../../components/RoleGate';
import rewards from '../../i18n/rewards';
import { useLocale, useT } from '../../i18n';
import { formatNumber } from '../../lib/format';
import { Data } from '../customers/parts';
import { useLocationNames, useValueText } from '../vouchers/parts';
import { nameIn, type Reward } from './model';

export const REWARDS_KEY = ['/v1/rewards', {}] as const;

/**
 * The catalogue as the API serves it (GET /v1/rewards): each reward's cost, kind and
 * value, stock, validity, locations, tiers and whether it is offered, with a link to
 * edit it and a button for a new one.
 */
export function RewardList() {
  const t = useT(rewards);
  const locale = useLocale();
  const api = useApi();
  const value = useValueText();
  const names = useLocationNames();
  const q = useQuery({ queryKey: REWARDS_KEY, queryFn: () => call(api.GET('/v1/rewards')) });
  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  const items = (q.data?.rewards ?? []) as Reward[];

  const columns: TableColumnsType<Reward> = [
    {
      title: t('col.name'),
      key: 'name',
      sorter: (a, b) => nameIn(a.name, locale).localeCompare(nameIn(b.name, locale)),
      render: (_, r) => <Data>{nameIn(r.name, locale)}</Data>,
    },
    {
      title: t('col.id'),
      dataIndex: 'rewardId',
      key: 'rewardId',
      responsive: ['lg'],
      render: (id: string) => (
        <Typography.Text code translate="no">
          {id}
        </Typography.Text>
      ),
    },
    { title: t('col.cost'), dataIndex: 'pointsCost', key: 'cost', align: 'right', sorter: (a, b) => a.pointsCost - b.pointsCost, render: (n: number) => formatNumber(n, locale) },
    { title: t('col.value'), key: 'value', render: (_, r) => value(r.kind, r.value) },
    { title: t('col.stock'), dataIndex: 'stock', key: 'stock', align: 'right', render: (n: number | undefined) => (n === undefined ? t('unlimited') : formatNumber(n, locale)) },
    { title: t('col.validDays'), dataIndex: 'validDays', key: 'validDays', responsive: ['md'], render: (d: number) => t('days', { days: d }) },
    {
      title: t('col.locations'),
      dataIndex: 'locations',
      key: 'locations',
      responsive: ['md'],
      render: (ids: string[] | undefined) => (ids?.length ? <Data>{names(ids)}</Data> : t('everywhere')),
    },
    { title: t('col.tiers'), dataIndex: 'tiers', key: 'tiers', responsive: ['lg'], render: (ts: string[] | undefined) => (ts?.length ? <Data>{ts.join(', ')}</Data> : t('everyone')) },
    {
      title: t('col.active'),
      dataIndex: 'active',
      key: 'active',
      render: (a: boolean) => <Tag color={a ? 'green' : 'default'}>{t(a ? 'active.yes' : 'active.no')}</Tag>,
    },
    { title: t('col.version'), dataIndex: 'version', key: 'version', responsive: ['xl'] },
    {
      title: t('col.actions'),
      key: 'actions',
      render: (_, r) => (
        <RoleGate action="reward.edit">
          <Link to={`/rewards/${encodeURIComponent(r.rewardId)}`} aria-label={t('editOne', { name: nameIn(r.name, locale) })}>
            <EditOutlined aria-hidden /> {t('edit')}
          </Link>
        </RoleGate>
      ),
    },
  ];

  return (
    <ListCard<Reward>
      title={t('catalogue.title')}
      intro={t('catalogue.intro')}
      create={{ action: 'reward.edit', label: t('catalogue.new'), to: '/rewards/new' }}
      rowKey="rewardId"
      columns={columns}
      items={items}
      loading={q.isPending}
      empty={t('catalogue.empty')}
      count={t('catalogue.count', { count: items.length })}
    />
  );
}
