import { useNavigate } from 'react-router';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Flex, Progress, Row, Statistic, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { GiftOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import customers from '../../i18n/customers';
import { useLocale, useT } from '../../i18n';
import { formatDate, formatDateTime, formatNumber } from '../../lib/format';
import { Data, fill } from './parts';
import { tierProgress, type Customer, type LoyaltyRules } from './model';

type Entry = components['schemas']['LoyaltyEntry'];

export const balanceKey = (id: string) => ['/v1/loyalty/{customerId}', id] as const;
export const ledgerKey = (id: string) => ['/v1/loyalty/{customerId}/ledger', id] as const;

/** A member's balance, tier and what expires (GET /v1/loyalty/{id}). */
export function useBalance(customerId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: balanceKey(customerId ?? ''),
    enabled: !!customerId,
    queryFn: () => call(api.GET('/v1/loyalty/{customerId}', { params: { path: { customerId: customerId! } } })),
  });
}

/**
 * Reads the balance again after this console changed it (an earn, a redeem, an
 * adjustment, a reward taken) with fresh=true, so it shows the change: the plain read is
 * eventually consistent and may not have it within the first second. Resolves to it.
 */
export function useRefreshBalance() {
  const api = useApi();
  const qc = useQueryClient();
  return async (customerId: string) => {
    const b = await call(api.GET('/v1/loyalty/{customerId}', { params: { path: { customerId }, query: { fresh: true } } }));
    qc.setQueryData(balanceKey(customerId), b);
    return b;
  };
}

const ENTRY_TYPES = ['earn', 'redeem', 'reverse', 'expire', 'adjust', 'bonus'] as const;

/** A ledger entry's type in words. */
export function useEntryText() {
  const t = useT(customers);
  return (type: string) => ((ENTRY_TYPES as readonly string[]).includes(type) ? t(`entry.${type as (typeof ENTRY_TYPES)[number]}`) : type);
}

/** Tier, its progress to the next, and points about to expire. */
export function TierProgress({ tier, earned12m, next, rules }: { tier: string; earned12m: number; next?: { tier?: string; pointsNeeded?: number }; rules?: LoyaltyRules }) {
  const t = useT(customers);
  const locale = useLocale();
  const p = tierProgress(rules?.tiers ?? [], tier, earned12m, next);
  return (
    <Flex vertical gap={4}>
      <Progress percent={p.percent} showInfo={false} aria-label={t('loyalty.progress')} />
      <Typography.Text type="secondary">
        {p.next ? fill(t('loyalty.next', { points: formatNumber(p.needed, locale) }), { tier: <Data>{p.next}</Data> }) : t('loyalty.top')}
      </Typography.Text>
    </Flex>
  );
}

/** Loyalty on the customer's page: balance, tier, expiring points and the history. */
export function LoyaltyCard({ customer: c, rules }: { customer: Customer; rules?: LoyaltyRules }) {
  const t = useT(customers);
  const locale = useLocale();
  const api = useApi();
  const { zoneOf } = useLocationScope();
  const zone = zoneOf(c.locationId);
  const entryText = useEntryText();
  const navigate = useNavigate();
  const b = useBalance(c.customerId);
  const ledger = useInfiniteQuery({
    queryKey: ledgerKey(c.customerId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/v1/loyalty/{customerId}/ledger', {
          params: { path: { customerId: c.customerId }, query: { limit: 10, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = ledger.data?.pages.flatMap((p) => p.items) ?? [];
  const columns: TableColumnsType<Entry> = [
    { title: t('ledger.at'), dataIndex: 'at', key: 'at', render: (v: string) => formatDateTime(v, zone, locale) },
    { title: t('ledger.type'), dataIndex: 'type', key: 'type', render: (v: string) => entryText(v) },
    {
      title: t('ledger.points'),
      dataIndex: 'points',
      key: 'points',
      align: 'end',
      render: (v: number) => (
        <Data>
          <Typography.Text type={v < 0 ? 'danger' : 'success'}>{(v > 0 ? '+' : '') + formatNumber(v, locale)}</Typography.Text>
        </Data>
      ),
    },
    { title: t('ledger.source'), dataIndex: 'sourceId', key: 'sourceId', responsive: ['md'], render: (v: string) => <Data>{v}</Data> },
    { title: t('ledger.reason'), dataIndex: 'reason', key: 'reason', responsive: ['lg'], render: (v?: string) => (v ? <Data>{v}</Data> : t('none')) },
  ];

  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('loyalty.title')}</h2>}
      extra={
        <Button icon={<GiftOutlined />} onClick={() => navigate(`/counter?customerId=${encodeURIComponent(c.customerId)}`)}>
          {t('loyalty.counter')}
        </Button>
      }
    >
      {b.isError ? (
        <ErrorView error={b.error} onRetry={() => void b.refetch()} />
      ) : !b.data ? (
        <Typography.Paragraph type="secondary">{t('customer.loading')}</Typography.Paragraph>
      ) : (
        <Flex vertical gap={12}>
          <Row gutter={[16, 8]}>
            <Col xs={12} sm={8}>
              <Statistic title={t('loyalty.balance')} value={b.data.balance} formatter={(v) => <Data>{formatNumber(Number(v), locale)}</Data>} />
            </Col>
            <Col xs={12} sm={8}>
              <Statistic title={t('loyalty.pending')} value={b.data.pending} formatter={(v) => <Data>{formatNumber(Number(v), locale)}</Data>} />
            </Col>
            <Col xs={24} sm={8}>
              <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 4 }}>
                {t('loyalty.tier')}
              </Typography.Text>
              <Tag color="gold" style={{ fontSize: 16, padding: '2px 8px' }}>
                <Data>{b.data.tier}</Data>
              </Tag>
            </Col>
          </Row>
          <TierProgress tier={b.data.tier} earned12m={b.data.earned12m ?? 0} next={b.data.nextTier} rules={rules} />
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('loyalty.earned12m')}>
              <Data>{formatNumber(b.data.earned12m ?? 0, locale)}</Data>
            </Descriptions.Item>
            {!!b.data.shortfall && (
              <Descriptions.Item label={t('loyalty.shortfall')}>
                <Data>{formatNumber(b.data.shortfall, locale)}</Data>
              </Descriptions.Item>
            )}
            {b.data.referralCode && (
              <Descriptions.Item label={t('loyalty.referral')}>
                <Data>{b.data.referralCode}</Data>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t('loyalty.expiring')}>
              {b.data.expiring.length === 0 ? (
                t('loyalty.noExpiring')
              ) : (
                <Flex vertical>
                  {b.data.expiring.slice(0, 3).map((e, i) => (
                    <span key={i}>
                      {t('loyalty.expiringItem', { points: formatNumber(e.points ?? 0, locale), date: e.expiresAt ? formatDate(e.expiresAt, zone, locale) : '—' })}
                    </span>
                  ))}
                </Flex>
              )}
            </Descriptions.Item>
          </Descriptions>
        </Flex>
      )}
      <h3 style={{ fontSize: 14, margin: '16px 0 8px' }}>{t('loyalty.ledger')}</h3>
      {ledger.isError ? (
        <ErrorView error={ledger.error} onRetry={() => void ledger.refetch()} />
      ) : (
        <Table<Entry>
          rowKey="entryId"
          columns={columns}
          dataSource={entries}
          loading={ledger.isPending}
          pagination={false}
          size="small"
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('loyalty.ledgerEmpty') }}
          footer={
            ledger.hasNextPage
              ? () => (
                  <Button onClick={() => void ledger.fetchNextPage()} loading={ledger.isFetchingNextPage}>
                    {t('timeline.more')}
                  </Button>
                )
              : undefined
          }
        />
      )}
    </Card>
  );
}
