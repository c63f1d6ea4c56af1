import { useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Flex, Form, Input, Radio, Row, Select, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import type { components } from '../../api/schema';
import { call, useApi } from '../../api/client';
import { ApiError, errorKind } from '../../api/error';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Notice } from '../../components/Notice';
import { Page } from '../../components/Page';
import common from '../../i18n/common';
import complaints from '../../i18n/complaints';
import { useT } from '../../i18n';
import { SETTINGS_KEY } from './Case';
import { useLabel } from './labels';
import { INTAKE_CHANNELS, SEVERITIES, fieldPath, intakeBody, type IntakeForm } from './model';

type Profile = components['schemas']['StoredProfile'];

/**
 * A complaint taken by phone, at the desk, by email or on WeChat (POST
 * /v1/complaints/intake): category from the complaint settings, severity, location,
 * the customer found by search or their contact details. Each submission carries one
 * Idempotency-Key, kept until it is answered, so a double click or a retry makes one
 * case.
 */
export function Intake() {
  const t = useT(complaints);
  const tc = useT(common);
  const label = useLabel();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const scope = useLocationScope();
  const [form] = Form.useForm<IntakeForm>();
  const idempotencyKey = useRef<string>(crypto.randomUUID());
  const [search, setSearch] = useState('');
  const [linked, setLinked] = useState<Profile | null>(null);
  const settings = useQuery({ queryKey: SETTINGS_KEY, queryFn: () => call(api.GET('/v1/settings/complaints')) });
  const locationId = Form.useWatch('locationId', form);

  const found = useQuery({
    queryKey: ['/v1/customers', { q: search, locationId }],
    queryFn: () => call(api.GET('/v1/customers', { params: { query: { q: search, ...(locationId ? { locationId } : {}), limit: 10 } } })),
    enabled: search !== '',
  });

  const submit = useMutation({
    mutationFn: (values: IntakeForm) =>
      call(
        api.POST('/v1/complaints/intake', {
          params: { header: { 'Idempotency-Key': idempotencyKey.current } },
          body: intakeBody({ ...values, customerId: linked?.customerId }),
        }),
      ),
    onSuccess: (receipt) => {
      idempotencyKey.current = crypto.randomUUID();
      void queryClient.invalidateQueries({ queryKey: ['/v1/complaints'] });
      navigate(`/complaints/${encodeURIComponent(receipt.complaintId)}`, { state: { created: receipt.reference } });
    },
    onError: (error) => {
      // A refusal is an answer: the next submission is a new one. A failure that never
      // got an answer keeps the key, so that sending again cannot make a second case.
      if (error instanceof ApiError && error.status < 500) idempotencyKey.current = crypto.randomUUID();
      if (error instanceof ApiError && error.fields.length > 0) {
        form.setFields(error.fields.map((f) => ({ name: fieldPath(f.field) as never, errors: [f.message] })));
      }
    },
  });

  if (scope.loading || settings.isPending) {
    return (
      <Page title={t('intake.title')}>
        <Typography.Paragraph role="status">{t('settings.loading')}</Typography.Paragraph>
      </Page>
    );
  }
  if (settings.isError) {
    return (
      <Page title={t('intake.title')} extra={<Back />}>
        <ErrorView error={settings.error} onRetry={() => void settings.refetch()} />
      </Page>
    );
  }
  if (scope.locations.length === 0) {
    return (
      <Page title={t('intake.title')} extra={<Back />}>
        <Notice tone="info" alert={false} title={t('intake.noLocation')} />
      </Page>
    );
  }

  const categories = settings.data.categories ?? [];
  const initial: Partial<IntakeForm> = {
    channel: 'phone',
    severity: 'normal',
    locationId: scope.locationId ?? scope.locations[0]?.locationId,
    category: categories[0],
    contact: { locale: '' },
  };
  const link = (p: Profile) => {
    setLinked(p);
    form.setFieldsValue({ contact: { name: p.name ?? '', phone: p.phone ?? '', email: p.email ?? '', locale: p.locale ?? '' } });
  };
  const required = [{ required: true, whitespace: true, message: t('form.required') }];
  const err = submit.error;

  return (
    <Page title={t('intake.title')} extra={<Back />}>
      <Card>
        <Typography.Paragraph type="secondary">{t('intake.intro')}</Typography.Paragraph>
        {err && !(err instanceof ApiError && err.fields.length > 0) && (
          <Alert
            type="error"
            showIcon
            role="alert"
            style={{ marginBottom: 16 }}
            title={tc(`error.${errorKind(err)}`)}
            description={
              <>
                {tc(`error.${errorKind(err)}.text`)}
                {err instanceof ApiError && err.detail && (
                  <div lang="en" style={{ fontSize: 12 }}>
                    {tc('details', { detail: err.detail })}
                  </div>
                )}
              </>
            }
          />
        )}
        <Form<IntakeForm> form={form} layout="vertical" initialValues={initial} onFinish={(v) => submit.mutate(v)} scrollToFirstError>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item label={t('intake.channel')} name="channel" rules={[{ required: true, message: t('form.required') }]}>
                <Radio.Group
                  optionType="button"
                  options={INTAKE_CHANNELS.map((c) => ({ value: c, label: label('channel', c) }))}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label={t('intake.location')} name="locationId" rules={[{ required: true, message: t('form.required') }]}>
                <Select options={scope.locations.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label={t('intake.category')} name="category" rules={[{ required: true, message: t('form.required') }]}>
                <Select options={categories.map((c) => ({ value: c, label: label('category', c) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label={t('intake.severity')} name="severity" rules={[{ required: true, message: t('form.required') }]}>
                <Select options={SEVERITIES.map((s) => ({ value: s, label: label('severity', s) }))} />
              </Form.Item>
            </Col>
          </Row>

          <Card size="small" type="inner" title={<h2 style={{ fontSize: 14, margin: 0 }}>{t('intake.customer')}</h2>} style={{ marginBottom: 16 }}>
            {linked ? (
              <Flex wrap gap={8} align="center" style={{ marginBottom: 12 }}>
                <Typography.Text>{t('intake.linked')}:</Typography.Text>
                <Link to={`/customers/${encodeURIComponent(linked.customerId)}`} translate="no">
                  {linked.name ?? linked.customerId}
                </Link>
                <Button size="small" onClick={() => setLinked(null)}>
                  {t('intake.unlink')}
                </Button>
              </Flex>
            ) : (
              <>
                <Form.Item label={t('intake.search')} htmlFor="intake-search" style={{ marginBottom: 8 }}>
                  <Input.Search
                    id="intake-search"
                    allowClear
                    enterButton={t('intake.searchButton')}
                    onSearch={(v) => setSearch(v.trim())}
                    loading={found.isFetching}
                  />
                </Form.Item>
                {search !== '' && found.isFetching && <Typography.Text type="secondary">{t('intake.searching')}</Typography.Text>}
                {search !== '' && found.isError && <ErrorView error={found.error} onRetry={() => void found.refetch()} />}
                {search !== '' && found.data && found.data.items.length === 0 && (
                  <Typography.Text type="secondary">{t('intake.noMatch')}</Typography.Text>
                )}
                {found.data && found.data.items.length > 0 && (
                  <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                    {found.data.items.map((p) => (
                      <li key={p.customerId} style={{ padding: '6px 0', borderBottom: '1px solid #f0f0f0' }}>
                        <Flex justify="space-between" align="center" wrap gap={8}>
                          <span translate="no">
                            {p.name ?? p.customerId} {p.phone ?? ''} {p.email ?? ''}
                          </span>
                          <Button size="small" onClick={() => link(p)} aria-label={`${t('intake.pick')}: ${p.name ?? p.customerId}`}>
                            {t('intake.pick')}
                          </Button>
                        </Flex>
                      </li>
                    ))}
                  </ul>
                )}
              </>
            )}
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Form.Item label={t('intake.contactName')} name={['contact', 'name']} rules={required}>
                  <Input autoComplete="off" maxLength={200} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item label={t('intake.contactPhone')} name={['contact', 'phone']}>
                  <Input autoComplete="off" inputMode="tel" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item label={t('intake.contactEmail')} name={['contact', 'email']}>
                  <Input autoComplete="off" inputMode="email" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item label={t('intake.contactLocale')} name={['contact', 'locale']}>
                  <Select
                    options={[
                      { value: '', label: t('intake.locale.default') },
                      { value: 'zh-CN', label: t('intake.locale.zh-CN') },
                      { value: 'en', label: t('intake.locale.en') },
                    ]}
                  />
                </Form.Item>
              </Col>
            </Row>
          </Card>

          <Form.Item label={t('intake.description')} name="description" rules={required}>
            <Input.TextArea rows={5} maxLength={5000} showCount />
          </Form.Item>
          <Form.Item label={t('intake.assignee')} name="assignee">
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('intake.staffId')} name="staffId" extra={t('intake.staffId.help')}>
            <Input autoComplete="off" maxLength={128} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={submit.isPending} disabled={submit.isPending}>
            {t('intake.submit')}
          </Button>
        </Form>
      </Card>
    </Page>
  );
}

function Back() {
  const t = useT(complaints);
  return (
    <Link to="/complaints">
      <ArrowLeftOutlined aria-hidden /> {t('case.back')}
    </Link>
  );
}
