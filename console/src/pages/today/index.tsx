import { lazy, Suspense, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Card, Col, Flex, Row, Typography } from 'antd';
import { call, useApi } from '../../api/client';
import { ApiError } from '../../api/error';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import type { ChartOption } from '../../components/Chart';
import complaints from '../../i18n/complaints';
import today from '../../i18n/today';
import { useLocale, useT } from '../../i18n';
import { formatNumber, formatPercent } from '../../lib/format';
import { useNow } from '../../lib/useNow';
import { useLabel } from '../complaints/labels';
import { mergeCases, queueHref, queueQueries, sortBySla } from '../complaints/model';
import { SlaCell } from '../complaints/SlaCell';
import { dueBounds } from '../followups/model';
import { callbackDays, callbacksHref, countCallbacks, last30Days, series, summarize, type Score } from './model';

// ECharts comes with the chart only, after the numbers.
const Chart = lazy(() => import('../../components/Chart'));

function Tile({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card size="small" style={{ height: '100%' }} title={<h2 style={{ fontSize: 14, margin: 0 }}>{title}</h2>}>
      {children}
    </Card>
  );
}

const BIG = { fontSize: 32, fontWeight: 600, lineHeight: 1.2 } as const;

/** The open and breached cases at the chosen location(s), each number a link to them. */
function CaseCounts({ locationId, beside }: { locationId: string | undefined; beside: ReactNode }) {
  const t = useT(today);
  const label = useLabel();
  const tcx = useT(complaints);
  const locale = useLocale();
  const api = useApi();
  const { zoneOf } = useLocationScope();
  const results = useQueries({
    queries: queueQueries({ status: 'open' }, locationId).map((query) => ({
      queryKey: ['/v1/complaints', query],
      queryFn: () => call(api.GET('/v1/complaints', { params: { query } })),
    })),
  });
  const failed = results.find((r) => r.isError);
  if (failed) {
    return (
      <>
        <Col xs={24}>
          <ErrorView error={failed.error} onRetry={() => results.forEach((r) => r.isError && void r.refetch())} />
        </Col>
        {beside}
      </>
    );
  }
  const loading = results.some((r) => r.isPending);
  const items = sortBySla(mergeCases(results.flatMap((r) => (r.data ? [r.data] : []))));
  const more = results.some((r) => r.data?.nextCursor);
  const breached = items.filter((c) => c.breached).length;
  const count = (n: number) => (more ? `${t('counts.more')} ${formatNumber(n, locale)}` : formatNumber(n, locale));
  const figure = (n: number, href: string, aria: string) =>
    loading ? (
      <Typography.Text type="secondary" role="status">
        {t('counts.loading')}
      </Typography.Text>
    ) : (
      <Link to={href} aria-label={aria} style={BIG} data-testid="today-count">
        {count(n)}
      </Link>
    );
  return (
    <>
      <Col xs={24} sm={12} lg={8}>
        <Tile title={t('open.title')}>
          {figure(items.length, queueHref({ status: 'open', locationId }), t('open.link', { count: count(items.length) }))}
        </Tile>
      </Col>
      <Col xs={24} sm={12} lg={8}>
        <Tile title={t('breached.title')}>
          {figure(breached, queueHref({ status: 'open', locationId, breached: true }), t('breached.link', { count: count(breached) }))}
        </Tile>
      </Col>
      {beside}
      <Col xs={24}>
        <Tile title={t('urgent.title')}>
          {loading ? (
            <Typography.Text type="secondary">{t('counts.loading')}</Typography.Text>
          ) : items.length === 0 ? (
            <Typography.Text type="secondary">{t('urgent.empty')}</Typography.Text>
          ) : (
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {items.slice(0, 3).map((c) => (
                <li key={c.complaintId} style={{ padding: '6px 0' }}>
                  <Flex wrap gap={6} align="center">
                    <Link to={`/complaints/${encodeURIComponent(c.complaintId)}`} aria-label={tcx('queue.open', { reference: c.reference })}>
                      <span translate="no">{c.reference}</span>
                    </Link>
                    <span>{label('category', c.category)}</span>
                    <SlaCell c={c} timeZone={zoneOf(c.locationId)} />
                  </Flex>
                </li>
              ))}
            </ul>
          )}
          <div style={{ marginTop: 8 }}>
            <Link to={queueHref({ status: 'open', locationId })}>{t('urgent.all')}</Link>
          </div>
        </Tile>
      </Col>
    </>
  );
}

/**
 * The callbacks due at the chosen location(s) over the last 7 days (GET /v1/followups by
 * location), a link to the follow-ups list filtered to the same.
 */
function Callbacks() {
  const t = useT(today);
  const locale = useLocale();
  const api = useApi();
  const scope = useLocationScope();
  const now = useNow(10 * 60_000);
  const ids = scope.locationId ? [scope.locationId] : scope.locations.map((l) => l.locationId);
  const results = useQueries({
    queries: ids.map((locationId) => {
      const zone = scope.zoneOf(locationId);
      const bounds = dueBounds(callbackDays(now, zone), zone);
      const query = { locationId, limit: 200, ...('field' in bounds ? {} : bounds) };
      return {
        queryKey: ['/v1/followups', query],
        queryFn: () => call(api.GET('/v1/followups', { params: { query } })),
      };
    }),
  });
  const failed = results.find((r) => r.isError);
  const loading = results.some((r) => r.isPending);
  const count = results.reduce((n, r) => n + countCallbacks(r.data?.items ?? []), 0);
  const more = results.some((r) => r.data?.nextCursor);
  const shown = more ? `${t('counts.more')} ${formatNumber(count, locale)}` : formatNumber(count, locale);
  const href = callbacksHref(scope.locationId, callbackDays(now, scope.zone));
  return (
    <Col xs={24} sm={12} lg={8}>
      <Tile title={t('callbacks.title')}>
        {failed ? (
          <ErrorView error={failed.error} onRetry={() => results.forEach((r) => r.isError && void r.refetch())} />
        ) : loading ? (
          <Typography.Text type="secondary" role="status">
            {t('counts.loading')}
          </Typography.Text>
        ) : (
          <Link to={href} aria-label={t('callbacks.link', { count: shown })} style={BIG} data-testid="today-callbacks">
            {shown}
          </Link>
        )}
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
          {t('callbacks.hint')}
        </Typography.Paragraph>
      </Tile>
    </Col>
  );
}

/** A score today and over the 30 days, linking to the survey results behind it. */
function ScoreTile({ title, score, format }: { title: string; score: Score; format: (n: number) => string }) {
  const t = useT(today);
  const show = (v: number | null) => (v === null ? <Typography.Text type="secondary">{t('score.none')}</Typography.Text> : format(v));
  return (
    <Tile title={title}>
      <Flex gap={24} wrap>
        <div>
          <Typography.Text type="secondary">{t('score.today')}</Typography.Text>
          <div style={BIG}>
            <Link to="/surveys" aria-label={`${title}, ${t('score.today')}: ${score.today === null ? t('score.none') : format(score.today)}. ${t('score.link')}`}>
              {show(score.today)}
            </Link>
          </div>
        </div>
        <div>
          <Typography.Text type="secondary">{t('score.period')}</Typography.Text>
          <div style={BIG}>
            <Link to="/surveys" aria-label={`${title}, ${t('score.period')}: ${score.period === null ? t('score.none') : format(score.period)}. ${t('score.link')}`}>
              {show(score.period)}
            </Link>
          </div>
        </div>
      </Flex>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('score.period')}: {t('score.periodHint')}
      </Typography.Text>
    </Tile>
  );
}

/** NPS and CSAT, today against the last 30 days, and their trend (GET /v1/reports/kpis). */
function Scores({ locationId, zone }: { locationId: string | undefined; zone: string }) {
  const t = useT(today);
  const locale = useLocale();
  const api = useApi();
  const now = useNow(10 * 60_000);
  const { from, to } = last30Days(now, zone);
  const query = { from, to, interval: 'day' as const, ...(locationId ? { locationId } : {}) };
  const q = useQuery({
    queryKey: ['/v1/reports/kpis', query],
    queryFn: () => call(api.GET('/v1/reports/kpis', { params: { query } })),
  });
  if (q.isPending) {
    return (
      <Col xs={24}>
        <Typography.Text type="secondary" role="status">
          {t('kpi.loading')}
        </Typography.Text>
      </Col>
    );
  }
  if (q.isError) {
    return (
      <Col xs={24}>
        {q.error instanceof ApiError && q.error.status === 404 ? (
          <Card size="small">
            <Typography.Text type="secondary">{t('kpi.unavailable')}</Typography.Text>
          </Card>
        ) : (
          <ErrorView error={q.error} onRetry={() => void q.refetch()} />
        )}
      </Col>
    );
  }
  const s = summarize(q.data, to);
  const days = series(q.data);
  const option: ChartOption = {
    // Drawn at once: the figures matter, not the motion.
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 32, bottom: 24 },
    xAxis: { type: 'category', boundaryGap: true, data: days.map((d) => d.day.slice(5)) },
    yAxis: { type: 'value', min: -100, max: 100 },
    series: [
      { name: t('nps.title'), type: 'line', connectNulls: true, showSymbol: true, symbolSize: 6, data: days.map((d) => d.nps) },
      { name: t('csat.title'), type: 'line', connectNulls: true, showSymbol: true, symbolSize: 6, data: days.map((d) => d.csat) },
    ],
  } as ChartOption;
  return (
    <>
      <Col xs={24} sm={12}>
        <ScoreTile title={t('nps.title')} score={s.nps} format={(n) => formatNumber(n, locale)} />
      </Col>
      <Col xs={24} sm={12}>
        <ScoreTile title={t('csat.title')} score={s.csat} format={(n) => formatPercent(n / 100, locale)} />
      </Col>
      <Col xs={24}>
        <Tile title={t('trend.title')}>
          <Typography.Paragraph type="secondary">{t('score.responses', { count: formatNumber(s.responses, locale) })}</Typography.Paragraph>
          <Suspense fallback={<Typography.Paragraph type="secondary">{t('kpi.loading')}</Typography.Paragraph>}>
            <Chart option={option} label={t('trend.label')} height={240} />
          </Suspense>
        </Tile>
      </Col>
    </>
  );
}

/**
 * Today: for the location picked in the header (or all of mine), the open and breached
 * cases, the cases due soonest, the callbacks, and NPS and CSAT today against the last
 * 30 days; every number leads to the list behind it.
 */
export default function TodayArea() {
  const t = useT(today);
  const scope = useLocationScope();
  return (
    <Page title={t('title')}>
      <Typography.Paragraph type="secondary">
        {t('where')} {scope.location ? <span translate="no">{scope.location.name}</span> : t('allLocations')}
      </Typography.Paragraph>
      {scope.loading ? (
        <Typography.Paragraph type="secondary" role="status">
          {t('counts.loading')}
        </Typography.Paragraph>
      ) : (
      <Row gutter={[16, 16]}>
        <CaseCounts locationId={scope.locationId} beside={<Callbacks />} />
        <Scores locationId={scope.locationId} zone={scope.zone} />
      </Row>
      )}
    </Page>
  );
}
