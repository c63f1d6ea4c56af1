import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Grid, List, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import { RoleGate } from '../../components/RoleGate';
import surveys from '../../i18n/surveys';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import type { SurveySummary } from './model';

/**
 * The surveys the person may see (GET /v1/surveys), those of the header's location and
 * of every location, newest first; more on demand (a page may come back short).
 */
export default function SurveyList() {
  const t = useT(surveys);
  const locale = useLocale();
  const api = useApi();
  const navigate = useNavigate();
  const { locationId, locations, zoneOf } = useLocationScope();
  const screens = Grid.useBreakpoint();
  const phone = !(screens.md ?? true);
  const q = useInfiniteQuery({
    queryKey: ['/v1/surveys', { locationId }],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(api.GET('/v1/surveys', { params: { query: { locationId, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const newButton = (
    <RoleGate action="survey.define">
      <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/surveys/new')}>
        {t('list.new')}
      </Button>
    </RoleGate>
  );

  if (q.isError) {
    return (
      <Page title={t('title')} extra={newButton}>
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      </Page>
    );
  }

  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const nameOf = (id: string | undefined) => (id ? (locations.find((l) => l.locationId === id)?.name ?? id) : undefined);
  const columns: TableColumnsType<SurveySummary> = [
    {
      title: t('list.survey'),
      key: 'title',
      render: (_, s) => (
        <Flex vertical gap={2}>
          <Link to={`/surveys/${encodeURIComponent(s.surveyId)}`}>
            <span translate="no">{s.title[locale]}</span>
          </Link>
          {s.name !== s.title[locale] && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <span translate="no">{s.name}</span>
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      title: t('list.location'),
      key: 'location',
      render: (_, s) => (s.locationId ? <span translate="no">{nameOf(s.locationId)}</span> : t('list.everyLocation')),
    },
    {
      title: t('list.kind'),
      key: 'kind',
      responsive: ['sm'],
      render: (_, s) => (s.anonymous ? <Tag color="blue">{t('kind.anonymous')}</Tag> : <Tag>{t('kind.invitations')}</Tag>),
    },
    {
      title: t('list.questions'),
      dataIndex: 'questionCount',
      key: 'questionCount',
      responsive: ['xxl'],
      render: (n: number) => <span translate="no">{n}</span>,
    },
    {
      title: t('list.version'),
      dataIndex: 'version',
      key: 'version',
      responsive: ['md'],
      render: (v: number) => <span translate="no">{v}</span>,
    },
    {
      title: t('list.changed'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      responsive: ['lg'],
      render: (at: string, s) => <span translate="no">{formatDateTime(at, zoneOf(s.locationId ?? locationId), locale)}</span>,
    },
    {
      title: t('list.actions'),
      key: 'actions',
      render: (_, s) => (
        <Link to={`/surveys/${encodeURIComponent(s.surveyId)}/results`} aria-label={t('list.resultsOf', { title: s.title[locale] })}>
          {t('list.results')}
        </Link>
      ),
    },
  ];

  return (
    <Page title={t('title')} extra={newButton}>
      <Card>
        <Typography.Paragraph type="secondary">{locationId ? t('list.introOne') : t('list.introAll')}</Typography.Paragraph>
        {phone ? (
          <List<SurveySummary>
            dataSource={items}
            rowKey="surveyId"
            loading={q.isPending ? { description: t('loading') } : false}
            locale={{ emptyText: q.isPending ? t('loading') : t('list.empty') }}
            renderItem={(s) => (
              <List.Item>
                <Flex vertical gap={4} style={{ width: '100%' }}>
                  <Link to={`/surveys/${encodeURIComponent(s.surveyId)}`}>
                    <span translate="no">{s.title[locale]}</span>
                  </Link>
                  <Flex gap={8} wrap align="center">
                    {s.locationId ? <span translate="no">{nameOf(s.locationId)}</span> : <span>{t('list.everyLocation')}</span>}
                    {s.anonymous ? <Tag color="blue">{t('kind.anonymous')}</Tag> : <Tag>{t('kind.invitations')}</Tag>}
                    <Link to={`/surveys/${encodeURIComponent(s.surveyId)}/results`} aria-label={t('list.resultsOf', { title: s.title[locale] })}>
                      {t('list.results')}
                    </Link>
                  </Flex>
                </Flex>
              </List.Item>
            )}
          />
        ) : (
          <Table<SurveySummary>
            rowKey="surveyId"
            columns={columns}
            dataSource={items}
            loading={q.isPending ? { description: t('loading') } : false}
            pagination={false}
            size="middle"
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: q.isPending ? t('loading') : t('list.empty') }}
          />
        )}
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginTop: 12 }}>
          <span>{t('list.count', { count: items.length })}</span>
          {q.hasNextPage && (
            <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
              {t('list.more')}
            </Button>
          )}
        </Flex>
      </Card>
    </Page>
  );
}
