import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Flex, Row, Statistic, Table, Typography, type TableColumnsType } from 'antd';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { PeriodPicker } from '../../components/PeriodPicker';
import { useLocationScope } from '../../components/LocationSwitcher';
import rewards from '../../i18n/rewards';
import { useLocale, useT } from '../../i18n';
import { dayInZone, formatNumber, formatPercent } from '../../lib/format';
import { Data, fill } from '../customers/parts';
import { nameIn } from '../rewards/model';
import { daysBefore, reportRows, type Figures } from './model';

type Row = Figures & { key: string };

/**
 * The voucher report (managers): for a period (30 days to today by default) at the
 * location picked in the header (or all of theirs), vouchers issued, redeemed (net of
 * reversals), cancelled and expired, the redemption rate and the points spent on
 * rewards, in total, by reward and by campaign, and by location when all are shown.
 * Counts and points only: no money.
 */
export function VoucherReport() {
  const t = useT(rewards);
  const locale = useLocale();
  const api = useApi();
  const { locationId, location, locations, zone, loading } = useLocationScope();
  const today = dayInZone(new Date(), zone);
  const [period, setPeriod] = useState<[string, string]>([daysBefore(today, 29), today]);
  const query = { from: period[0], to: period[1], ...(locationId ? { locationId } : {}) };
  // Asked once the location scope is known, for the location picked.
  const q = useQuery({
    queryKey: ['/v1/reports/vouchers', query],
    queryFn: () => call(api.GET('/v1/reports/vouchers', { params: { query } })),
    enabled: !loading,
  });
  const catalogue = useQuery({ queryKey: ['/v1/rewards', {}], queryFn: () => call(api.GET('/v1/rewards')), staleTime: 5 * 60_000 });

  const rewardName = (id: string) => nameIn(catalogue.data?.rewards.find((r) => r.rewardId === id)?.name, locale) || id;
  const rate = (r: number | null | undefined) => (r === null || r === undefined ? '—' : formatPercent(r, locale));
  const columns = (first: string, name: (key: string) => string): TableColumnsType<Row> => [
    { title: first, dataIndex: 'key', key: 'key', render: (k: string) => <Data>{name(k)}</Data> },
    { title: t('report.issued'), dataIndex: 'issued', key: 'issued', align: 'right', render: (n: number) => formatNumber(n, locale) },
    { title: t('report.redeemed'), dataIndex: 'redeemed', key: 'redeemed', align: 'right', render: (n: number) => formatNumber(n, locale) },
    { title: t('report.cancelled'), dataIndex: 'cancelled', key: 'cancelled', align: 'right', responsive: ['md'], render: (n: number) => formatNumber(n, locale) },
    { title: t('report.expired'), dataIndex: 'expired', key: 'expired', align: 'right', responsive: ['md'], render: (n: number) => formatNumber(n, locale) },
    { title: t('report.rate'), dataIndex: 'redemptionRate', key: 'rate', align: 'right', render: rate },
    { title: t('report.points'), dataIndex: 'pointsSpent', key: 'points', align: 'right', responsive: ['md'], render: (n: number) => formatNumber(n, locale) },
  ];
  /** One breakdown of the figures (by reward, campaign or location), as a card with its table. */
  const breakdown = (title: string, first: string, name: (key: string) => string, by: Record<string, Figures> | undefined) => (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{title}</h2>}>
      <Table<Row>
        rowKey="key"
        size="small"
        pagination={false}
        loading={q.isPending}
        scroll={{ x: 'max-content' }}
        columns={columns(first, name)}
        dataSource={reportRows(by)}
        locale={{ emptyText: t('report.empty') }}
      />
    </Card>
  );
  const total = q.data?.total;
  const stat = (title: string, value: string | undefined) => (
    <Col xs={12} md={8} lg={4}>
      <Statistic title={title} value={value ?? 0} loading={!q.data} formatter={() => value ?? ''} />
    </Col>
  );

  return (
    <Flex vertical gap={16}>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('report.title')}</h2>}>
        <Typography.Paragraph type="secondary">{t('report.intro')}</Typography.Paragraph>
        <Flex wrap gap={16} align="center">
          <PeriodPicker label={t('report.period')} value={period} onChange={setPeriod} />
          <Typography.Text type="secondary">
            {fill(t('report.scope'), { names: location ? <Data>{location.name}</Data> : t('report.allMine') })}
          </Typography.Text>
        </Flex>
      </Card>
      {q.isError ? (
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <Card>
            <Row gutter={[16, 16]}>
              {stat(t('report.issued'), total && formatNumber(total.issued, locale))}
              {stat(t('report.redeemed'), total && formatNumber(total.redeemed, locale))}
              {stat(t('report.cancelled'), total && formatNumber(total.cancelled, locale))}
              {stat(t('report.expired'), total && formatNumber(total.expired, locale))}
              {stat(t('report.rate'), total && rate(total.redemptionRate))}
              {stat(t('report.points'), total && formatNumber(total.pointsSpent, locale))}
            </Row>
          </Card>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              {breakdown(t('report.byReward'), t('report.reward'), rewardName, q.data?.byReward)}
            </Col>
            <Col xs={24} xl={12}>
              {breakdown(t('report.byCampaign'), t('report.campaign'), (k) => k, q.data?.byCampaign)}
            </Col>
            {!locationId && (
              <Col xs={24}>
                {breakdown(t('report.byLocation'), t('report.location'), (k) => locations.find((l) => l.locationId === k)?.name ?? k, q.data?.byLocation)}
              </Col>
            )}
          </Row>
        </>
      )}
    </Flex>
  );
}
