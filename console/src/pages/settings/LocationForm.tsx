import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, DatePicker, Flex, Form, Input, Row, Select, Space, Typography, message } from 'antd';
import { ArrowLeftOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { LOCATIONS_KEY } from '../../components/LocationSwitcher';
import settings from '../../i18n/settings';
import { useT } from '../../i18n';
import { CHANNELS, TIME, WEEKDAYS, checkShifts, locationFieldOf, toForm, toLocation, type LocationFormValues, type StoredLocation } from './locationForm';
import { SaveBar, SaveProblem, showFieldErrors } from './parts';

const LOCATION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;

/** The IANA zones the browser knows, for the time zone picker. */
function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Singapore', 'Europe/London', 'America/New_York', 'UTC'];
  }
}

/** A new location (POST /v1/locations): on success, its edit page. */
export function LocationCreate() {
  const t = useT(settings);
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm<LocationFormValues>();
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  const save = useMutation({
    mutationFn: (v: LocationFormValues) => call(api.POST('/v1/locations', { body: toLocation(v) })),
    onSuccess: (l) => {
      void qc.invalidateQueries({ queryKey: LOCATIONS_KEY });
      void message.success(t('location.created'));
      navigate(`/settings/locations/${encodeURIComponent(l.locationId)}`);
    },
    onError: (e) => setElsewhere(showFieldErrors(form, e, locationFieldOf)),
  });
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('location.newTitle')}</h2>} extra={<BackLink />}>
      {save.isError && <SaveProblem error={save.error} elsewhere={elsewhere} onReload={() => save.reset()} />}
      <LocationFields form={form} initial={toForm()} creating onFinish={(v) => save.mutate(v)} saving={save.isPending} />
    </Card>
  );
}

/**
 * A location's edit page (GET, then PUT /v1/locations/{id} with the version read).
 * Someone else's save in between is a 409: said in words, with a reload that shows
 * their version (the changes here are lost, and the notice says so).
 */
export function LocationEdit() {
  const t = useT(settings);
  const api = useApi();
  const qc = useQueryClient();
  const { locationId = '' } = useParams();
  const [form] = Form.useForm<LocationFormValues>();
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  const key = ['/v1/locations/{locationId}', locationId] as const;
  const q = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/v1/locations/{locationId}', { params: { path: { locationId } } })) as Promise<StoredLocation>,
  });
  const save = useMutation({
    mutationFn: (v: LocationFormValues) =>
      call(api.PUT('/v1/locations/{locationId}', { params: { path: { locationId } }, body: toLocation(v, q.data) })) as Promise<StoredLocation>,
    onSuccess: (l) => {
      qc.setQueryData(key, l);
      void qc.invalidateQueries({ queryKey: LOCATIONS_KEY });
      void message.success(t('saved', { version: l.version ?? '' }));
    },
    onError: (e) => setElsewhere(showFieldErrors(form, e, locationFieldOf)),
  });

  // A new version (saved here or reloaded) starts the form again from it: the keyed
  // form below takes its initial values, and this drops what was typed over the old one.
  const version = q.data?.version;
  useEffect(() => {
    if (version !== undefined) form.resetFields();
  }, [version, form]);

  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Card loading aria-busy title={t('loading')} />;
  const l = q.data;
  const reload = async () => {
    save.reset();
    await q.refetch();
  };
  return (
    <Card
      title={
        <h2 style={{ fontSize: 16, margin: 0 }}>
          {t('location.editTitle')} <span translate="no">{l.name}</span>
        </h2>
      }
      extra={<BackLink />}
    >
      {save.isError && <SaveProblem error={save.error} elsewhere={elsewhere} onReload={() => void reload()} />}
      <LocationFields
        key={l.version}
        form={form}
        initial={toForm(l)}
        onFinish={(v) => save.mutate(v)}
        saving={save.isPending}
        version={l.version}
      />
    </Card>
  );
}

function BackLink() {
  const t = useT(settings);
  return (
    <Link to="/settings">
      <ArrowLeftOutlined aria-hidden /> {t('location.back')}
    </Link>
  );
}

function LocationFields({
  form,
  initial,
  creating = false,
  onFinish,
  saving,
  version,
}: {
  form: ReturnType<typeof Form.useForm<LocationFormValues>>[0];
  initial: LocationFormValues;
  creating?: boolean;
  onFinish: (v: LocationFormValues) => void;
  saving: boolean;
  version?: number;
}) {
  const t = useT(settings);
  const zones = useMemo(() => timeZones().map((z) => ({ value: z, label: <span translate="no">{z}</span> })), []);
  const required = { required: true, message: t('field.required') };
  const hhmm = { pattern: TIME, message: t('field.time') };
  const half = { xs: 24, md: 12 };
  return (
    <Form<LocationFormValues> form={form} layout="vertical" initialValues={initial} onFinish={onFinish} scrollToFirstError>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('location.section.identity')}
      </Typography.Title>
      <Row gutter={16}>
        <Col {...half}>
          <Form.Item
            name="locationId"
            label={t('location.id')}
            extra={creating ? t('location.idHint') : undefined}
            rules={[required, { pattern: LOCATION_ID, message: t('location.idFormat') }]}
          >
            <Input disabled={!creating} autoComplete="off" translate="no" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="name" label={t('location.name')} rules={[required, { max: 200, message: t('field.max200') }]}>
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="code" label={t('location.code')} extra={t('location.codeHint')} rules={[{ pattern: /^[A-Za-z0-9]{0,8}$/, message: t('location.codeFormat') }]}>
            <Input autoComplete="off" translate="no" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="timeZone" label={t('location.timeZone')} extra={t('location.timeZoneHint')} rules={[required]}>
            <Select showSearch={{ optionFilterProp: 'value' }} options={zones} aria-label={t('location.timeZone')} />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item
            name="currency"
            label={t('location.currency')}
            extra={
              <>
                {t('location.currencyHint')} <span translate="no">CNY, GBP, USD</span>
              </>
            }
            rules={[{ pattern: /^[A-Za-z]{3}$/, message: t('location.currencyFormat') }]}
          >
            <Input maxLength={3} autoComplete="off" translate="no" placeholder="CNY" style={{ textTransform: 'uppercase', maxWidth: 120 }} />
          </Form.Item>
        </Col>
      </Row>

      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('location.section.hours')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('location.hoursIntro')}</Typography.Paragraph>
      {WEEKDAYS.map((day) => (
        <Form.List
          key={day}
          name={['hours', day]}
          rules={[
            {
              validator: async (_, shifts) => {
                const p = checkShifts(shifts ?? []);
                if (p) throw new Error(t(p));
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <div role="group" aria-label={t(`day.${day}`)} style={{ marginBottom: 12 }}>
              <Flex wrap gap={8} align="center">
                <strong style={{ minWidth: 96 }}>{t(`day.${day}`)}</strong>
                {fields.length === 0 && <span style={{ opacity: 0.7 }}>{t('location.closed')}</span>}
                {fields.map((f, i) => (
                  <Space.Compact key={f.key}>
                    <Form.Item name={[f.name, 'start']} noStyle rules={[required, hhmm]}>
                      <Input
                        style={{ width: 72 }}
                        placeholder="09:00"
                        inputMode="numeric"
                        maxLength={5}
                        aria-label={t('shift.opens', { day: t(`day.${day}`), n: i + 1 })}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'end']} noStyle rules={[required]}>
                      <Input
                        style={{ width: 72 }}
                        placeholder="18:00"
                        inputMode="numeric"
                        maxLength={5}
                        aria-label={t('shift.closes', { day: t(`day.${day}`), n: i + 1 })}
                      />
                    </Form.Item>
                    <Button
                      icon={<DeleteOutlined />}
                      onClick={() => remove(f.name)}
                      aria-label={t('shift.remove', { day: t(`day.${day}`), n: i + 1 })}
                    />
                  </Space.Compact>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ start: '', end: '' })} aria-label={t('shift.add', { day: t(`day.${day}`) })}>
                  {t('shift.addShort')}
                </Button>
              </Flex>
              <Form.ErrorList errors={errors} />
            </div>
          )}
        </Form.List>
      ))}

      <Row gutter={16}>
        <Col {...half}>
          <Form.Item
            name="holidays"
            label={t('location.holidays')}
            extra={t('location.holidaysHint')}
            getValueProps={(v: string[] | undefined) => ({ value: (v ?? []).map((d) => dayjs(d)) })}
            normalize={(v: Dayjs[] | null) => (v ?? []).map((d) => d.format('YYYY-MM-DD'))}
          >
            <DatePicker multiple maxTagCount="responsive" style={{ width: '100%' }} aria-label={t('location.holidays')} />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item label={t('location.quietHours')} extra={t('location.quietHint')} required>
            <Space.Compact>
              <Form.Item name="quietFrom" noStyle rules={[required, hhmm]}>
                <Input style={{ width: 88 }} maxLength={5} inputMode="numeric" aria-label={t('location.quietFrom')} />
              </Form.Item>
              <Form.Item name="quietTo" noStyle rules={[required, hhmm]}>
                <Input style={{ width: 88 }} maxLength={5} inputMode="numeric" aria-label={t('location.quietTo')} />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
        </Col>
      </Row>

      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('location.section.managers')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('location.managersIntro')}</Typography.Paragraph>
      <Form.List name="managers">
        {(fields, { add, remove }) => (
          <>
            {fields.map((f, i) => (
              <Row gutter={8} key={f.key} align="top" role="group" aria-label={t('manager.n', { n: i + 1 })}>
                <Col xs={24} md={6}>
                  <Form.Item name={[f.name, 'name']} label={t('manager.name')}>
                    <Input autoComplete="off" />
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item name={[f.name, 'channel']} label={t('manager.channel')} rules={[required]}>
                    <Select options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))} aria-label={t('manager.channel')} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item name={[f.name, 'locale']} label={t('manager.locale')}>
                    <Select
                      allowClear
                      options={[
                        { value: 'zh-CN', label: t('locale.zh-CN') },
                        { value: 'en', label: t('locale.en') },
                      ]}
                      aria-label={t('manager.locale')}
                    />
                  </Form.Item>
                </Col>
                <Col xs={20} md={9}>
                  <Form.Item name={[f.name, 'address']} label={t('manager.address')} rules={[required]}>
                    <Input autoComplete="off" translate="no" />
                  </Form.Item>
                </Col>
                <Col xs={4} md={1}>
                  <Form.Item label={<span aria-hidden>&nbsp;</span>}>
                    <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('manager.remove', { n: i + 1 })} />
                  </Form.Item>
                </Col>
              </Row>
            ))}
            <Form.Item>
              <Button icon={<PlusOutlined />} onClick={() => add({ channel: 'email', address: '' })}>
                {t('manager.add')}
              </Button>
            </Form.Item>
          </>
        )}
      </Form.List>

      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('location.section.branding')}
      </Typography.Title>
      <Row gutter={16}>
        <Col {...half}>
          <Form.Item name="brandName" label={t('branding.name')} extra={t('branding.nameHint')}>
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item noStyle shouldUpdate={(a, b) => a.color !== b.color}>
            {({ getFieldValue }) => {
              const c = String(getFieldValue('color') ?? '');
              return (
                <Form.Item name="color" label={t('branding.color')} rules={[{ pattern: COLOR, message: t('branding.colorFormat') }]}>
                  <Input
                    placeholder="#0b5cad"
                    maxLength={7}
                    translate="no"
                    prefix={
                      <span
                        aria-hidden
                        style={{ display: 'inline-block', width: 16, height: 16, borderRadius: 4, border: '1px solid #d9d9d9', background: COLOR.test(c) ? c : 'transparent' }}
                      />
                    }
                  />
                </Form.Item>
              );
            }}
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="logoUrl" label={t('branding.logoUrl')} rules={[{ pattern: /^https:\/\/[^/\s]+/, message: t('branding.logoFormat') }]}>
            <Input placeholder="https://" autoComplete="off" translate="no" inputMode="url" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="footerText" label={t('branding.footer')}>
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
      </Row>
      <SaveBar saving={saving} version={version} label={creating ? t('location.create') : undefined} />
    </Form>
  );
}
