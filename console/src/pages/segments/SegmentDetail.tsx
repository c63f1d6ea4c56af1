import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Flex, Form, Input, InputNumber, Popconfirm, Radio, Row, Statistic, Table, Typography, type TableColumnsType } from 'antd';
import { ArrowLeftOutlined, SendOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { RoleGate } from '../../components/RoleGate';
import { useLocationScope } from '../../components/LocationSwitcher';
import segments from '../../i18n/segments';
import { useLocale, useT } from '../../i18n';
import { dayInZone, formatDate, formatNumber } from '../../lib/format';
import { useLoyaltyRules } from '../customers/CustomerPage';
import { SaveProblem, showFieldErrors } from '../settings/parts';
import { Conditions } from './Conditions';
import { CAMPAIGN_TEMPLATES, TIERS, campaignFieldOf, toCampaign, type Campaign, type CampaignForm, type Member, type Segment } from './segment';

/** A segment: its conditions, how many customers it holds now and who, and a campaign to them. */
export function SegmentDetail() {
  const t = useT(segments);
  const locale = useLocale();
  const api = useApi();
  const { segmentId = '' } = useParams();
  const { zoneOf, locations } = useLocationScope();
  const q = useQuery({
    queryKey: ['/v1/segments/{segmentId}/customers', segmentId],
    queryFn: async () =>
      (await call(api.GET('/v1/segments/{segmentId}/customers', { params: { path: { segmentId } } }))) as unknown as { segment: Segment; items: Member[] },
  });
  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  const back = (
    <Link to="/segments">
      <ArrowLeftOutlined aria-hidden /> {t('back')}
    </Link>
  );
  if (!q.data) return <Card loading title={t('loading')} extra={back} />;
  const { segment, items } = q.data;
  const zone = zoneOf(segment.filter.locationId);
  const locationName = locations.find((l) => l.locationId === segment.filter.locationId)?.name ?? segment.filter.locationId;
  const columns: TableColumnsType<Member> = [
    {
      title: t('members.name'),
      key: 'name',
      render: (_, m) => (
        <Link to={`/customers/${encodeURIComponent(m.customerId)}`} translate="no">
          {m.name || m.customerId}
        </Link>
      ),
    },
    {
      title: t('members.tier'),
      key: 'tier',
      render: (_, m) => ((TIERS as readonly string[]).includes(m.value?.tier ?? '') ? t(`tier.${m.value!.tier as (typeof TIERS)[number]}`) : '—'),
    },
    { title: t('members.abc'), key: 'abc', render: (_, m) => <span translate="no">{m.value?.abc ?? '—'}</span> },
    {
      title: t('members.rfm'),
      key: 'rfm',
      responsive: ['sm'],
      render: (_, m) => <span translate="no">{m.value?.rfm ? `${m.value.rfm.r}-${m.value.rfm.f}-${m.value.rfm.m}` : '—'}</span>,
    },
    { title: t('members.visits'), key: 'visits', render: (_, m) => formatNumber(m.visits ?? 0, locale, 0) },
    { title: t('members.lastVisit'), key: 'lastVisit', render: (_, m) => (m.lastVisit ? formatDate(m.lastVisit, zone, locale) : t('members.never')) },
    {
      title: t('members.tags'),
      key: 'tags',
      responsive: ['md'],
      render: (_, m) => <span translate="no">{(m.tags ?? []).join(', ')}</span>,
    },
  ];
  return (
    <Flex vertical gap={16}>
      <Card
        title={
          <h2 style={{ fontSize: 16, margin: 0 }}>
            {t('detail.title')} <span translate="no">{segment.name}</span>
          </h2>
        }
        extra={back}
      >
        <Row gutter={[16, 16]} align="middle">
          <Col xs={24} md={8}>
            <Statistic title={t('detail.count')} value={items.length} formatter={(v) => formatNumber(Number(v), locale, 0)} />
          </Col>
          <Col xs={24} md={16}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'loc', label: t('list.location'), children: <span translate="no">{locationName}</span> },
                { key: 'cond', label: t('list.conditions'), children: <Conditions filter={segment.filter} /> },
                { key: 'asof', label: t('detail.asOf'), children: formatDate(new Date(), zone, locale) },
              ]}
            />
          </Col>
        </Row>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          {t('detail.countHint')}
        </Typography.Paragraph>
        <Table<Member>
          rowKey="customerId"
          columns={columns}
          dataSource={items}
          pagination={items.length > 20 ? { pageSize: 20 } : false}
          size="small"
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('members.empty') }}
        />
      </Card>
      <RoleGate action="segment.campaign">
        <CampaignCard segment={segment} members={items.length} timeZone={zone} />
      </RoleGate>
    </Flex>
  );
}

function CampaignCard({ segment, members, timeZone }: { segment: Segment; members: number; timeZone: string }) {
  const t = useT(segments);
  const locale = useLocale();
  const api = useApi();
  const [form] = Form.useForm<CampaignForm>();
  // One campaign id and idempotency key per form: a retry of the same send counts once.
  const [attempt, setAttempt] = useState(() => crypto.randomUUID());
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  // A voucher's amount is in the programme's currency.
  const currency = useLoyaltyRules().data?.currency ?? '';
  const send = useMutation({
    mutationFn: async (v: CampaignForm) =>
      (await call(
        api.POST('/v1/segments/{segmentId}/campaigns', {
          params: { path: { segmentId: segment.segmentId } },
          // The schema leaves message and subject as open objects: the request is typed by toCampaign.
          body: toCampaign(v, attempt, timeZone, currency) as never,
          headers: { 'Idempotency-Key': attempt },
        }),
      )) as unknown as Campaign,
    onError: (e) => setElsewhere(showFieldErrors(form, e, campaignFieldOf)),
  });
  const today = useMemo(() => dayInZone(new Date(), timeZone), [timeZone]);
  const required = { required: true, message: t('field.required') };
  const result = send.data;
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('campaign.title')}</h2>}>
      <Alert type="info" role="note" showIcon title={t('campaign.rulesTitle')} description={t('campaign.rules')} style={{ marginBottom: 16 }} />
      {send.isError && <SaveProblem error={send.error} elsewhere={elsewhere} onReload={() => send.reset()} />}
      {result ? (
        <Flex vertical gap={12} role="status">
          <Alert type="success" role="none" showIcon title={t('campaign.sent')} />
          <Row gutter={16}>
            <Col xs={12}>
              <Statistic title={t('campaign.scheduled')} value={result.scheduled} />
            </Col>
            <Col xs={12}>
              <Statistic title={t('campaign.skipped')} value={result.skipped} />
            </Col>
            {result.voucher && (
              <Col xs={12}>
                <Statistic title={t('campaign.vouchersIssued')} value={result.vouchersIssued} />
              </Col>
            )}
          </Row>
          <Typography.Paragraph type="secondary">{t('campaign.afterwards')}</Typography.Paragraph>
          <div>
            <Button
              onClick={() => {
                send.reset();
                setAttempt(crypto.randomUUID());
                form.resetFields();
              }}
            >
              {t('campaign.another')}
            </Button>
          </div>
        </Flex>
      ) : (
        <Form<CampaignForm> form={form} layout="vertical" initialValues={{ content: 'win-back', when: 'now', date: today, time: '10:00', voucher: 'none', validDays: 30 }} onFinish={(v) => send.mutate(v)}>
          <Form.Item name="content" label={t('campaign.content')}>
            <Radio.Group
              options={[
                ...CAMPAIGN_TEMPLATES.map((x) => ({ value: x, label: t(`template.${x}`) })),
                { value: 'own', label: t('campaign.own') },
              ]}
            />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a: CampaignForm, b: CampaignForm) => a.content !== b.content || a.when !== b.when || a.voucher !== b.voucher}>
            {({ getFieldValue }) => (
              <>
                {getFieldValue('content') === 'own' ? (
                  <Row gutter={16}>
                    <Col xs={24} md={12}>
                      <Form.Item name="subjectZh" label={t('campaign.subjectZh')}>
                        <Input lang="zh-CN" maxLength={200} />
                      </Form.Item>
                      <Form.Item name="messageZh" label={t('campaign.messageZh')} dependencies={['messageEn']}
                        rules={[
                          ({ getFieldValue: get }) => ({
                            validator: async (_, v) => {
                              if (!v?.trim() && !String(get('messageEn') ?? '').trim()) throw new Error(t('campaign.messageNeeded'));
                            },
                          }),
                        ]}
                      >
                        <Input.TextArea lang="zh-CN" rows={4} maxLength={4000} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={12}>
                      <Form.Item name="subjectEn" label={t('campaign.subjectEn')}>
                        <Input lang="en" maxLength={200} />
                      </Form.Item>
                      <Form.Item name="messageEn" label={t('campaign.messageEn')}>
                        <Input.TextArea lang="en" rows={4} maxLength={4000} />
                      </Form.Item>
                    </Col>
                    <Col xs={24}>
                      <Typography.Paragraph type="secondary">{t('campaign.ownHint')}</Typography.Paragraph>
                    </Col>
                  </Row>
                ) : (
                  <Typography.Paragraph type="secondary">{t(`template.${getFieldValue('content') as 'win-back'}.about`)}</Typography.Paragraph>
                )}
                <Form.Item name="voucher" label={t('campaign.voucher')} extra={getFieldValue('voucher') !== 'none' ? t('campaign.voucherHint') : undefined}>
                  <Radio.Group
                    options={[
                      { value: 'none', label: t('campaign.voucherNone') },
                      { value: 'amount', label: t('campaign.voucherAmount') },
                      { value: 'percent', label: t('campaign.voucherPercent') },
                    ]}
                  />
                </Form.Item>
                {getFieldValue('voucher') !== 'none' && (
                  <Flex gap={8} wrap>
                    {getFieldValue('voucher') === 'amount' ? (
                      <Form.Item name="amountOff" label={t('campaign.amountOff', { currency })}
                        rules={[{ required: true, type: 'number', min: 0.01, max: 1_000_000, message: t('campaign.amountBad') }]}>
                        <InputNumber min={0.01} precision={2} inputMode="decimal" />
                      </Form.Item>
                    ) : (
                      <Form.Item name="percentOff" label={t('campaign.percentOff')}
                        rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('campaign.percentBad') }]}>
                        <InputNumber min={1} max={100} precision={0} suffix="%" inputMode="numeric" />
                      </Form.Item>
                    )}
                    <Form.Item name="validDays" label={t('campaign.validDays')}
                      rules={[{ required: true, type: 'integer', min: 1, max: 3660, message: t('campaign.validDaysBad') }]}>
                      <InputNumber min={1} max={3660} precision={0} inputMode="numeric" />
                    </Form.Item>
                  </Flex>
                )}
                <Form.Item name="when" label={t('campaign.when')}>
                  <Radio.Group
                    options={[
                      { value: 'now', label: t('campaign.now') },
                      { value: 'later', label: t('campaign.later') },
                    ]}
                  />
                </Form.Item>
                {getFieldValue('when') === 'later' && (
                  <Flex gap={8} wrap>
                    <Form.Item name="date" label={t('campaign.date')} rules={[required]}>
                      <Input type="date" min={today} />
                    </Form.Item>
                    <Form.Item name="time" label={t('campaign.time')} extra={
                        <>
                          {t('campaign.zone')} <span translate="no">{timeZone}</span>
                        </>
                      } rules={[required]}>
                      <Input type="time" />
                    </Form.Item>
                  </Flex>
                )}
              </>
            )}
          </Form.Item>
          <Popconfirm
            title={t('campaign.confirm', { count: formatNumber(members, locale, 0) })}
            description={t('campaign.confirmText')}
            okText={t('campaign.send')}
            cancelText={t('campaign.cancel')}
            onConfirm={() => form.submit()}
            disabled={members === 0}
          >
            <Button type="primary" icon={<SendOutlined />} loading={send.isPending} disabled={members === 0}>
              {t('campaign.send')}
            </Button>
          </Popconfirm>
          {members === 0 && <Typography.Paragraph type="secondary">{t('campaign.noMembers')}</Typography.Paragraph>}
        </Form>
      )}
    </Card>
  );
}
