import { useMemo, useState } from 'react';
import { useMutation, useQueries, useQuery } from '@tanstack/react-query';
import { Button, Card, Col, DatePicker, Empty, Flex, Form, List, Row, Segmented, Select, Spin, Statistic, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useParams, useSearchParams } from 'react-router';
import { call, useApi } from '../../api/client';
import { can } from '../../auth/access';
import { useAuth } from '../../auth/AuthProvider';
import Chart, { type ChartOption } from '../../components/Chart';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import surveys from '../../i18n/surveys';
import { useLocale, useT, type Locale } from '../../i18n';
import { dayInZone, formatDateTime, formatNumber, formatPercent } from '../../lib/format';
import {
  addDays,
  commentsOf,
  distributionOf,
  exportFileName,
  filterComments,
  npsCategory,
  questionText,
  titleOf,
  trendPeriods,
  type CommentFilter,
  type Question,
  type Results as SurveyResults,
} from './model';
import NpsGauge from './NpsGauge';
import { useSurvey } from './SurveyView';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ALL = '*';

/** The period and location asked for in the page's address, else the last 30 UTC days and the header's location. */
function usePeriod(defaultLocation: string | undefined) {
  const [params, setParams] = useSearchParams();
  const today = dayInZone(new Date(), 'UTC');
  const to = DAY.test(params.get('to') ?? '') ? params.get('to')! : today;
  const from = DAY.test(params.get('from') ?? '') ? params.get('from')! : addDays(to, -29);
  const loc = params.get('locationId');
  const locationId = loc === null ? defaultLocation : loc === ALL ? undefined : loc;
  const set = (next: { from?: string; to?: string; locationId?: string | undefined }) => {
    const p = new URLSearchParams(params);
    if (next.from !== undefined) p.set('from', next.from);
    if (next.to !== undefined) p.set('to', next.to);
    if ('locationId' in next) p.set('locationId', next.locationId ?? ALL);
    setParams(p, { replace: true });
  };
  return { from, to, locationId, set };
}

function shortDay(day: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

function Figure({ value, testId }: { value: string; testId?: string }) {
  return (
    <span translate="no" data-testid={testId}>
      {value}
    </span>
  );
}

function DistributionCard({ q, counts }: { q: Question; counts: Record<string, number> | undefined }) {
  const t = useT(surveys);
  const locale = useLocale();
  const rows = distributionOf(q, counts);
  const total = rows.reduce((n, r) => n + r.count, 0);
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: rows.map((r) => r.value), axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: rows.map((r) => r.count), itemStyle: { color: '#1677ff' } }],
    }),
    [rows],
  );
  return (
    <Card size="small" title={<span translate="no">{questionText(q, locale)}</span>}>
      <Typography.Text type="secondary">
        {t(`type.${q.type}`)} · {t('results.answers', { count: total })}
      </Typography.Text>
      {total === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('results.noAnswers')} />
      ) : (
        <div translate="no">
          <Chart option={option} label={t('results.distributionOf', { question: questionText(q, locale) })} height={200} />
        </div>
      )}
    </Card>
  );
}

function Comments({ surveyId, from, to, locationId }: { surveyId: string; from: string; to: string; locationId: string | undefined }) {
  const t = useT(surveys);
  const locale = useLocale();
  const api = useApi();
  const { zoneOf, locations } = useLocationScope();
  const [filter, setFilter] = useState<CommentFilter>('all');
  const q = useQuery({
    queryKey: ['/v1/surveys/{surveyId}/responses.csv', surveyId, { from, to, locationId }],
    queryFn: () =>
      call(
        api.GET('/v1/surveys/{surveyId}/responses.csv', {
          params: { path: { surveyId }, query: { from, to, locationId } },
          parseAs: 'text',
        }),
      ),
  });
  const all = useMemo(() => commentsOf(typeof q.data === 'string' ? q.data : ''), [q.data]);
  const shown = filterComments(all, filter);
  const filters: CommentFilter[] = ['all', 'detractor', 'passive', 'promoter', 'none'];
  const color = { promoter: 'green', passive: 'gold', detractor: 'red' } as const;
  return (
    <Card title={h2(t('results.comments'))}>
      <Flex vertical gap={12}>
        <Flex vertical gap={4}>
          <Typography.Text aria-hidden>{t('results.commentFilter')}</Typography.Text>
          <Segmented<CommentFilter>
            aria-label={t('results.commentFilter')}
            value={filter}
            onChange={setFilter}
            options={filters.map((f) => ({ value: f, label: t(`filter.${f}`) }))}
            style={{ maxWidth: '100%', overflowX: 'auto' }}
          />
        </Flex>
        {q.isError ? (
          <ErrorView error={q.error} onRetry={() => void q.refetch()} />
        ) : (
          <List
            loading={q.isPending ? { description: t('loading') } : false}
            dataSource={shown}
            rowKey="responseId"
            locale={{ emptyText: q.isPending ? t('loading') : t('results.noComments') }}
            pagination={shown.length > 10 ? { pageSize: 10, size: 'small' } : false}
            renderItem={(c) => (
              <List.Item>
                <Flex vertical gap={4} style={{ width: '100%' }}>
                  <Flex gap={8} wrap align="center">
                    {c.nps !== undefined ? (
                      <Tag color={color[npsCategory(c.nps)]}>
                        {t('results.npsScore')} <span translate="no">{c.nps}</span>
                      </Tag>
                    ) : null}
                    {c.csat !== undefined ? (
                      <Tag>
                        {t('results.csatScore')} <span translate="no">{c.csat}</span>
                      </Tag>
                    ) : null}
                    <Typography.Text type="secondary">
                      <span translate="no">
                        {formatDateTime(c.submittedAt, zoneOf(c.locationId), locale)}
                        {c.locationId ? ` · ${locations.find((l) => l.locationId === c.locationId)?.name ?? c.locationId}` : ''}
                      </span>
                    </Typography.Text>
                  </Flex>
                  <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                    <span translate="no">{c.text}</span>
                  </Typography.Paragraph>
                </Flex>
              </List.Item>
            )}
          />
        )}
      </Flex>
    </Card>
  );
}

/**
 * A survey's results (GET /v1/surveys/{surveyId}/results) over a period at a location:
 * NPS gauge and trend, CSAT, dimensions, answer distributions, the comments (managers,
 * from the export) by score, and the CSV export.
 */
export default function Results() {
  const { surveyId = '' } = useParams();
  const t = useT(surveys);
  const locale = useLocale();
  const api = useApi();
  const { principal } = useAuth();
  const scope = useLocationScope();
  const { from, to, locationId, set } = usePeriod(scope.locationId);
  const survey = useSurvey(surveyId);
  const mayExport = can(principal, 'survey.export');

  const results = useQuery({
    queryKey: ['/v1/surveys/{surveyId}/results', surveyId, { from, to, locationId }],
    queryFn: () => call(api.GET('/v1/surveys/{surveyId}/results', { params: { path: { surveyId }, query: { from, to, locationId } } })),
  });
  const periods = useMemo(() => trendPeriods(from, to), [from, to]);
  const trend = useQueries({
    queries: periods.map((p) => ({
      queryKey: ['/v1/surveys/{surveyId}/results', surveyId, { from: p.from, to: p.to, locationId }],
      queryFn: () =>
        call(api.GET('/v1/surveys/{surveyId}/results', { params: { path: { surveyId }, query: { from: p.from, to: p.to, locationId } } })),
    })),
  });

  const exportCsv = useMutation({
    mutationFn: async () => {
      const text = await call(
        api.GET('/v1/surveys/{surveyId}/responses.csv', { params: { path: { surveyId }, query: { from, to, locationId } }, parseAs: 'text' }),
      );
      const url = URL.createObjectURL(new Blob([text as string], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = exportFileName(surveyId, from, to);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  });


  const trendOption = useMemo<ChartOption | undefined>(() => {
    if (trend.some((q) => !q.data)) return undefined;
    const data = trend.map((q) => q.data as SurveyResults);
    return {
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: periods.map((p) => (p.from === p.to ? shortDay(p.from, locale) : `${shortDay(p.from, locale)}–${shortDay(p.to, locale)}`)) },
      yAxis: [
        { type: 'value', min: -100, max: 100 },
        { type: 'value', min: 0, minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        { type: 'bar', name: t('results.responses'), yAxisIndex: 1, data: data.map((r) => r.responses), itemStyle: { color: '#d6e4ff' } },
        { type: 'line', name: t('results.nps'), data: data.map((r) => r.nps), connectNulls: true, itemStyle: { color: '#1677ff' } },
        { type: 'line', name: t('results.csat'), data: data.map((r) => r.csat), connectNulls: true, itemStyle: { color: '#52c41a' } },
      ],
    };
  }, [trend, periods, locale, t]);

  const filters = (
    <Card>
      <Form layout="vertical">
        <Row gutter={16} align="bottom">
          <Col xs={24} md={10}>
            <Form.Item label={t('results.period')} htmlFor="results-period" tooltip={t('results.periodHint')} style={{ marginBottom: 8 }}>
              <DatePicker.RangePicker
                id={{ start: 'results-period' }}
                allowClear={false}
                value={[dayjs(from), dayjs(to)]}
                onChange={(v) => {
                  if (v?.[0] && v[1]) set({ from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') });
                }}
                style={{ width: '100%' }}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item label={t('list.location')} htmlFor="results-location" style={{ marginBottom: 8 }}>
              <Select
                id="results-location"
                value={locationId ?? ALL}
                onChange={(v: string) => set({ locationId: v === ALL ? undefined : v })}
                options={[
                  ...(scope.locations.length > 1 || principal.all ? [{ value: ALL, label: t('results.allLocations') }] : []),
                  ...scope.locations.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> })),
                ]}
              />
            </Form.Item>
          </Col>
          {mayExport && (
            <Col xs={24} md={6}>
              <Form.Item style={{ marginBottom: 8 }}>
                <Button icon={<DownloadOutlined />} onClick={() => exportCsv.mutate()} loading={exportCsv.isPending} block>
                  {t('results.export')}
                </Button>
              </Form.Item>
            </Col>
          )}
        </Row>
      </Form>
      {exportCsv.isError && <ErrorView error={exportCsv.error} />}
    </Card>
  );

  let body;
  if (results.isError) {
    body = <ErrorView error={results.error} onRetry={() => void results.refetch()} />;
  } else if (results.isPending) {
    body = (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin description={t('loading')} />
      </Flex>
    );
  } else {
    const r = results.data;
    const detail = r.npsDetail ?? { count: 0, promoters: 0, passives: 0, detractors: 0 };
    const npsText = r.nps === null ? t('results.noScore') : formatNumber(r.nps, locale);
    const dims = Object.entries(r.dimensions).sort(([a], [b]) => a.localeCompare(b));
    const dimOption: ChartOption = {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', min: 0, max: 10 },
      yAxis: { type: 'category', data: dims.map(([d]) => d), inverse: true },
      series: [{ type: 'bar', data: dims.map(([, s]) => s.mean), label: { show: true, position: 'right' }, itemStyle: { color: '#722ed1' } }],
    };
    const questions = survey.data?.questions ?? [];
    const charted = questions.filter((q) => q.type !== 'text');
    body = (
      <Flex vertical gap={16}>
        <Row gutter={[16, 16]}>
          <Col xs={24} md={12} lg={8}>
            <Card title={h2(t('results.nps'))} style={{ height: '100%' }}>
              <NpsGauge nps={r.nps} label={t('results.npsLabel', { nps: npsText })} />
              <Flex justify="space-around" wrap gap={8}>
                <Statistic title={t('results.promoters')} value={detail.promoters} formatter={(v) => <Figure value={formatNumber(Number(v), locale)} />} />
                <Statistic title={t('results.passives')} value={detail.passives} formatter={(v) => <Figure value={formatNumber(Number(v), locale)} />} />
                <Statistic title={t('results.detractors')} value={detail.detractors} formatter={(v) => <Figure value={formatNumber(Number(v), locale)} />} />
              </Flex>
            </Card>
          </Col>
          <Col xs={24} md={12} lg={8}>
            <Card title={h2(t('results.summary'))} style={{ height: '100%' }}>
              <Flex vertical gap={16}>
                <Statistic
                  title={t('results.responses')}
                  value={r.responses}
                  formatter={(v) => <Figure value={formatNumber(Number(v), locale)} testId="results-responses" />}
                />
                <Statistic title={t('results.nps')} value={npsText} formatter={() => <Figure value={npsText} testId="results-nps" />} />
                <Statistic
                  title={t('results.csat')}
                  value={r.csat ?? ''}
                  formatter={() => <Figure value={r.csat === null ? t('results.noScore') : formatPercent(r.csat / 100, locale)} testId="results-csat" />}
                />
                <Typography.Text type="secondary">{t('results.csatCount', { count: r.csatCount ?? 0 })}</Typography.Text>
              </Flex>
            </Card>
          </Col>
          <Col xs={24} lg={8}>
            <Card title={h2(t('results.dimensions'))} style={{ height: '100%' }}>
              {dims.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('results.noDimensions')} />
              ) : (
                <div translate="no">
                  <Chart option={dimOption} label={t('results.dimensionsLabel')} height={Math.max(160, dims.length * 40)} />
                </div>
              )}
            </Card>
          </Col>
        </Row>
        <Card title={h2(t('results.trend'))}>
          {trend.some((q) => q.isError) ? (
            <ErrorView error={trend.find((q) => q.isError)?.error} onRetry={() => trend.forEach((q) => void q.refetch())} />
          ) : trendOption ? (
            <div translate="no">
              <Chart option={trendOption} label={t('results.trendLabel')} height={280} />
            </div>
          ) : (
            <Flex justify="center" style={{ padding: 24 }}>
              <Spin description={t('loading')} />
            </Flex>
          )}
        </Card>
        <Card title={h2(t('results.distributions'))}>
          {survey.isError ? (
            <ErrorView error={survey.error} onRetry={() => void survey.refetch()} />
          ) : charted.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={survey.isPending ? t('loading') : t('results.noAnswers')} />
          ) : (
            <Row gutter={[16, 16]}>
              {charted.map((q) => (
                <Col key={q.id} xs={24} lg={12}>
                  <DistributionCard q={q} counts={r.distribution[q.id]} />
                </Col>
              ))}
            </Row>
          )}
        </Card>
        {mayExport ? (
          <Comments surveyId={surveyId} from={from} to={to} locationId={locationId} />
        ) : (
          <Card title={h2(t('results.comments'))}>
            <Typography.Text type="secondary">{t('results.commentsManagers')}</Typography.Text>
          </Card>
        )}
      </Flex>
    );
  }

  return (
    <Page title={t('results.title')}>
      <Flex vertical gap={16}>
        {survey.data && (
          <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
            <span translate="no">{titleOf(survey.data, locale)}</span>
          </Typography.Title>
        )}
        {filters}
        {body}
      </Flex>
    </Page>
  );
}
