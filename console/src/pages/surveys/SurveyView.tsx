import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Flex, List, Space, Spin, Tag, Typography } from 'antd';
import { BarChartOutlined, EditOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router';
import { call, useApi } from '../../api/client';
import { can } from '../../auth/access';
import { useAuth } from '../../auth/AuthProvider';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import surveys from '../../i18n/surveys';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { InviteCard, LinkCard } from './Issue';
import { isRating, questionText, titleOf, type Loop, type Survey } from './model';

export function surveyKey(surveyId: string) {
  return ['/v1/surveys/{surveyId}', surveyId] as const;
}

/** One survey (GET /v1/surveys/{surveyId}), for every staff page of it. */
export function useSurvey(surveyId: string) {
  const api = useApi();
  return useQuery({
    queryKey: surveyKey(surveyId),
    queryFn: () => call(api.GET('/v1/surveys/{surveyId}', { params: { path: { surveyId } } })),
  });
}

/** Whether the person may edit a survey: managers up, and head office for a survey of every location. */
export function mayEdit(p: ReturnType<typeof useAuth>['principal'], s: Survey): boolean {
  return can(p, 'survey.define') && (!!s.locationId || p.all);
}

function LoopSummary({ loop }: { loop: Loop | undefined }) {
  const t = useT(surveys);
  if (!loop || loop.off) return <>{t('loop.offSummary')}</>;
  const rules: { key: string; node: ReactNode }[] = [];
  if (loop.detractor) rules.push({ key: 'detractor', node: t('loop.detractor') });
  if (loop.lowCsat) rules.push({ key: 'lowCsat', node: t('loop.lowCsat') });
  for (const [d, v] of Object.entries(loop.dimensionAtOrBelow ?? {})) {
    rules.push({
      key: `dim:${d}`,
      node: (
        <>
          {t('loop.thresholdSummary', { value: v })} <span translate="no">{d}</span>
        </>
      ),
    });
  }
  if (loop.keywords?.length) {
    rules.push({
      key: 'keywords',
      node: (
        <>
          {t('loop.keywordsSummary')} <span translate="no">{loop.keywords.join(', ')}</span>
        </>
      ),
    });
  }
  return (
    <Flex vertical gap={4}>
      <span>{t('loop.summary', { hours: loop.callbackWithinHours ?? 0 })}</span>
      <ul style={{ margin: 0, paddingInlineStart: 20 }}>
        {rules.map((r) => (
          <li key={r.key}>{r.node}</li>
        ))}
      </ul>
      <span>
        {loop.notify?.address ? (
          <>
            {t('loop.notifies')} <span translate="no">{loop.notify.address}</span>
          </>
        ) : (
          t('loop.notifiesManagers')
        )}
      </span>
      {loop.openCase && (
        <span>
          {t('loop.opensCase')} <span translate="no">{loop.openCase.category}</span>
        </span>
      )}
    </Flex>
  );
}

/** A survey's definition, with what may be done with it: results, edit, invite or link. */
export default function SurveyView() {
  const { surveyId = '' } = useParams();
  const t = useT(surveys);
  const locale = useLocale();
  const navigate = useNavigate();
  const { principal } = useAuth();
  const { zoneOf, locations } = useLocationScope();
  const q = useSurvey(surveyId);

  if (q.isError) {
    return (
      <Page title={t('title')}>
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      </Page>
    );
  }
  if (q.isPending) {
    return (
      <Page title={t('title')}>
        <Flex justify="center" style={{ padding: 48 }}>
          <Spin description={t('loading')} />
        </Flex>
      </Page>
    );
  }
  const s = q.data;
  const title = titleOf(s, locale);
  const locationName = s.locationId ? (locations.find((l) => l.locationId === s.locationId)?.name ?? s.locationId) : undefined;
  const base = `/surveys/${encodeURIComponent(s.surveyId)}`;

  return (
    <Page
      title={t('view.title')}
      extra={
        <Space wrap>
          <Button icon={<BarChartOutlined />} onClick={() => navigate(`${base}/results`)}>
            {t('view.results')}
          </Button>
          {mayEdit(principal, s) && (
            <Button icon={<EditOutlined />} onClick={() => navigate(`${base}/edit`)}>
              {t('view.edit')}
            </Button>
          )}
        </Space>
      }
    >
      <Flex vertical gap={16}>
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          <span translate="no">{title}</span>
        </Typography.Title>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('view.definition')}</h2>}>
          <Descriptions column={{ xs: 1, md: 2 }} size="small">
            <Descriptions.Item label={t('field.name')}>
              <span translate="no">{s.name}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('list.version')}>
              <span translate="no">{s.version}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('field.titleEn')}>
              <span translate="no" lang="en">
                {s.title?.en ?? '—'}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('field.titleZh')}>
              <span translate="no" lang="zh-CN">
                {s.title?.['zh-CN'] ?? '—'}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('list.location')}>
              {locationName ? <span translate="no">{locationName}</span> : t('list.everyLocation')}
            </Descriptions.Item>
            <Descriptions.Item label={t('list.kind')}>{s.anonymous ? t('kind.anonymous') : t('kind.invitations')}</Descriptions.Item>
            {s.createdAt && (
              <Descriptions.Item label={t('list.changed')}>
                <span translate="no">{formatDateTime(s.createdAt, zoneOf(s.locationId), locale)}</span>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t('field.dimensions')}>
              <span translate="no">{(s.dimensions ?? []).join(', ')}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('loop.title')} span={{ xs: 1, md: 2 }}>
              <LoopSummary loop={s.loop} />
            </Descriptions.Item>
          </Descriptions>
        </Card>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('view.questions', { count: s.questions.length })}</h2>}>
          <List
            dataSource={s.questions}
            rowKey="id"
            renderItem={(qn, i) => (
              <List.Item>
                <Flex vertical gap={4} style={{ width: '100%' }}>
                  <Flex gap={8} wrap align="center">
                    <Typography.Text strong>{t('builder.questionN', { n: i + 1 })}</Typography.Text>
                    <Tag>{t(`type.${qn.type}`)}</Tag>
                    {qn.required && <Tag color="orange">{t('field.required')}</Tag>}
                    {isRating(qn.type) && qn.dimension && (
                      <Tag color="purple">
                        <span translate="no">{qn.dimension}</span>
                      </Tag>
                    )}
                    <Typography.Text type="secondary" code>
                      <span translate="no">{qn.id}</span>
                    </Typography.Text>
                  </Flex>
                  <span translate="no">{questionText(qn, locale)}</span>
                  {qn.options && qn.options.length > 0 && (
                    <Typography.Text type="secondary">
                      <span translate="no">{qn.options.join(' · ')}</span>
                    </Typography.Text>
                  )}
                </Flex>
              </List.Item>
            )}
          />
        </Card>
        {s.anonymous ? (can(principal, 'survey.link') && <LinkCard survey={s} />) : can(principal, 'survey.invite') && <InviteCard survey={s} />}
      </Flex>
    </Page>
  );
}
