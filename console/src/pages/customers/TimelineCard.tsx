import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Flex, Segmented, Timeline, Typography } from 'antd';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import customers from '../../i18n/customers';
import followups from '../../i18n/followups';
import { useLocale, useT } from '../../i18n';
import { formatDateTime, formatMoney, formatNumber } from '../../lib/format';
import { Data, fill } from './parts';
import { useEntryText } from './LoyaltyCard';
import { detail, filterTimeline, TIMELINE_TYPES, type Customer, type TimelineItem } from './model';

const COLOR: Record<TimelineItem['type'], string> = { visit: 'blue', points: 'gold', followup: 'gray', complaint: 'red', survey: 'green' };

/**
 * What happened with the customer, newest first (GET /v1/customers/{id}/timeline):
 * visits, points, follow-ups, complaints and survey answers, each said in the
 * console's words from its figures, filtered by kind.
 */
export function TimelineCard({ customer: c }: { customer: Customer }) {
  const t = useT(customers);
  const api = useApi();
  const [type, setType] = useState<TimelineItem['type'] | 'all'>('all');
  const q = useInfiniteQuery({
    queryKey: ['/v1/customers/{customerId}/timeline', c.customerId],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/v1/customers/{customerId}/timeline', {
          params: { path: { customerId: c.customerId }, query: { ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const all = (q.data?.pages.flatMap((p) => p.items) ?? []) as TimelineItem[];
  const items = filterTimeline(all, type);
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('timeline.title')}</h2>}>
      <Flex vertical gap={16}>
        <div style={{ overflowX: 'auto' }}>
          <Segmented<TimelineItem['type'] | 'all'>
            aria-label={t('timeline.filter')}
            value={type}
            onChange={setType}
            options={[{ value: 'all', label: t('timeline.all') }, ...TIMELINE_TYPES.map((v) => ({ value: v, label: t(`timeline.${v}`) }))]}
          />
        </div>
        {q.isError ? (
          <ErrorView error={q.error} onRetry={() => void q.refetch()} />
        ) : q.isPending ? (
          <Typography.Paragraph type="secondary">{t('customer.loading')}</Typography.Paragraph>
        ) : items.length === 0 && !q.hasNextPage ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('timeline.empty')} />
        ) : (
          <Timeline items={items.map((it) => ({ key: `${it.type}-${it.id}`, color: COLOR[it.type], content: <TimelineText item={it} /> }))} />
        )}
        {q.hasNextPage && (
          <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage} style={{ alignSelf: 'start' }}>
            {t('timeline.more')}
          </Button>
        )}
      </Flex>
    </Card>
  );
}

function TimelineText({ item }: { item: TimelineItem }) {
  const t = useT(customers);
  const tf = useT(followups);
  const locale = useLocale();
  const entryText = useEntryText();
  const { zoneOf, locations } = useLocationScope();
  const place = item.locationId ? (locations.find((l) => l.locationId === item.locationId)?.name ?? item.locationId) : undefined;
  let text: React.ReactNode;
  switch (item.type) {
    case 'visit': {
      const amount = Number(detail(item, 'amount') ?? 0);
      const currency = detail(item, 'currency');
      text = fill(t('item.visit'), {
        source: <Data>{detail(item, 'sourceId') ?? ''}</Data>,
        amount: <Data>{currency ? formatMoney(amount, currency, locale) : formatNumber(amount, locale, 2)}</Data>,
      });
      break;
    }
    case 'points': {
      const points = Number(detail(item, 'points') ?? 0);
      text = fill(t('item.points', { entry: entryText(detail(item, 'entryType') ?? '') }), {
        points: <Data>{(points > 0 ? '+' : '') + formatNumber(points, locale)}</Data>,
      });
      break;
    }
    case 'followup': {
      const kind = detail(item, 'kind') ?? '';
      const status = detail(item, 'status') ?? '';
      const kindKey = `kind.${kind}` as keyof (typeof followups)['en'];
      const statusKey = `status.${status}` as keyof (typeof followups)['en'];
      text = fill(t('item.followup'), {
        kind: kindKey in followups.en ? tf(kindKey) : <Data>{kind}</Data>,
        status: statusKey in followups.en ? tf(statusKey) : <Data>{status}</Data>,
      });
      break;
    }
    case 'complaint': {
      const status = detail(item, 'status') ?? '';
      const statusKey = `status.${status}` as keyof (typeof customers)['en'];
      text = fill(t('item.complaint'), {
        reference: <Data>{detail(item, 'reference') ?? ''}</Data>,
        status: statusKey in customers.en ? t(statusKey) : <Data>{status}</Data>,
      });
      break;
    }
    case 'survey': {
      const scores = [detail(item, 'nps') && `NPS ${detail(item, 'nps')}`, detail(item, 'csat') && `CSAT ${detail(item, 'csat')}`].filter(Boolean).join(', ');
      text = scores ? fill(t('item.surveyScores'), { scores: <Data>{scores}</Data> }) : t('item.survey');
      break;
    }
  }
  return (
    <Flex vertical>
      <span>{text}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {formatDateTime(item.at, zoneOf(item.locationId), locale)}
        {place && <> · {fill(t('item.at'), { location: <Data>{place}</Data> })}</>}
      </Typography.Text>
    </Flex>
  );
}
