import { useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Segmented,
  Select,
  Space,
  Spin,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ApiError, errorKind } from '../../api/error';
import { useAuth } from '../../auth/AuthProvider';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import common from '../../i18n/common';
import complaints from '../../i18n/complaints';
import { useLocale, useT } from '../../i18n';
import { formatDateTime, formatMoney, formatNumber } from '../../lib/format';
import { useLabel } from './labels';
import {
  SEVERITIES,
  VOUCHER_DAYS,
  actionBody,
  allowedActions,
  fieldPath,
  timelineView,
  type ActionForm,
  type ActionName,
  type Complaint,
  type ComplaintEvent,
  type TimelineView,
} from './model';
import { STATUS_COLOR, SlaCell } from './SlaCell';

export const SETTINGS_KEY = ['/v1/settings/complaints'] as const;

/** Actions that need a form; the others are a button (close and reopen confirmed). */
const FORM_ACTIONS: readonly ActionName[] = ['assign', 'note', 'resolve', 'triage'];
const CONFIRMED: readonly ActionName[] = ['close', 'reopen'];

/** The customer beside the case: their profile (GET /v1/customers/{id}) and a link to it. */
function CustomerCard({ customerId, timeZone }: { customerId: string; timeZone: string }) {
  const t = useT(complaints);
  const tc = useT(common);
  const locale = useLocale();
  const api = useApi();
  const q = useQuery({
    queryKey: ['/v1/customers/{customerId}', customerId],
    queryFn: () => call(api.GET('/v1/customers/{customerId}', { params: { path: { customerId } } })),
  });
  const link = (
    <Link to={`/customers/${encodeURIComponent(customerId)}`}>{t('customer.open')}</Link>
  );
  if (q.isPending) return <Typography.Text type="secondary">{t('customer.loading')}</Typography.Text>;
  if (q.isError) {
    return (
      <Flex vertical gap={8}>
        <Typography.Text type="secondary">{t('customer.unavailable', { reason: tc(`error.${errorKind(q.error)}`) })}</Typography.Text>
        {link}
      </Flex>
    );
  }
  const p = q.data;
  return (
    <Flex vertical gap={8}>
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'name', label: t('customer.title'), children: <span translate="no">{p.name ?? p.customerId}</span> },
          ...(p.phone ? [{ key: 'phone', label: t('customer.phone'), children: <span translate="no">{p.phone}</span> }] : []),
          ...(p.email ? [{ key: 'email', label: t('customer.email'), children: <span translate="no">{p.email}</span> }] : []),
          { key: 'visits', label: t('customer.visits'), children: formatNumber(p.visits, locale) },
          ...(p.lastVisit ? [{ key: 'last', label: t('customer.lastVisit'), children: formatDateTime(p.lastVisit, timeZone, locale) }] : []),
          ...(p.tags?.length
            ? [{ key: 'tags', label: t('customer.tags'), children: p.tags.map((tag) => <Tag key={tag}><span translate="no">{tag}</span></Tag>) }]
            : []),
        ]}
      />
      {link}
    </Flex>
  );
}

/** One timeline entry: what happened, who, when, the note and details. */
function EventEntry({ e, timeZone }: { e: ComplaintEvent; timeZone: string }) {
  const t = useT(complaints);
  const label = useLabel();
  const locale = useLocale();
  const d = e.details ?? {};
  return (
    <Flex vertical gap={2}>
      <Flex wrap gap={6} align="center">
        <strong>{label('event', e.type)}</strong>
        {e.from && e.to && (
          <Typography.Text type="secondary">
            {label('status', e.from)} → {label('status', e.to)}
          </Typography.Text>
        )}
        <Tag color={e.internal ? 'default' : 'blue'}>{e.internal ? t('timeline.internalTag') : t('timeline.publicTag')}</Tag>
      </Flex>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {e.at ? formatDateTime(e.at, timeZone, locale) : '—'} ·{' '}
        {e.actor ? (
          <span>
            {t('timeline.by')} <span translate="no">{e.actor}</span>
          </span>
        ) : (
          t('timeline.system')
        )}
      </Typography.Text>
      {e.note && (
        <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
          <span translate="no">{e.note}</span>
        </Typography.Paragraph>
      )}
      {d.assignee && (
        <Typography.Text>
          {t('timeline.assignedTo')}: <span translate="no">{d.assignee}</span>
        </Typography.Text>
      )}
      {d.rootCause && (
        <Typography.Text>
          {t('case.rootCause')}: {label('rootCause', d.rootCause)}
        </Typography.Text>
      )}
      {d.compensationPoints && (
        <Typography.Text>
          {t('case.points')}: <span translate="no">{d.compensationPoints}</span>
        </Typography.Text>
      )}
      {d.internalNote && (
        <Typography.Text type="secondary">
          {t('timeline.internalNote')}: <span translate="no">{d.internalNote}</span>
        </Typography.Text>
      )}
    </Flex>
  );
}

/**
 * A case: its details and clocks, the customer beside it, the public and internal
 * timeline, and the actions its status and the person's role allow. Every action sends
 * the version read: when someone else changed the case meanwhile, the answer is 409,
 * said in words, and the case is read again.
 */
export function Case() {
  const { complaintId = '' } = useParams();
  const t = useT(complaints);
  const tc = useT(common);
  const label = useLabel();
  const locale = useLocale();
  const api = useApi();
  const queryClient = useQueryClient();
  const { principal } = useAuth();
  const scope = useLocationScope();
  const [view, setView] = useState<TimelineView>('all');
  const [open, setOpen] = useState<ActionName | null>(null);
  const created = (useLocation().state as { created?: string } | null)?.created;
  const [notice, setNotice] = useState<{ type: 'success' | 'warning' | 'error'; title: string; text?: string; detail?: string } | null>(
    created ? { type: 'success', title: t('intake.created') } : null,
  );
  const [formError, setFormError] = useState<ApiError | null>(null);
  const [form] = Form.useForm<ActionForm>();
  // One Idempotency-Key per intended action, kept while its request got no answer: a
  // retry of the same action then counts once.
  const attempt = useRef<{ action: ActionName; key: string } | null>(null);

  const key = ['/v1/complaints/{complaintId}', complaintId];
  const q = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/v1/complaints/{complaintId}', { params: { path: { complaintId } } })),
  });
  const settings = useQuery({ queryKey: SETTINGS_KEY, queryFn: () => call(api.GET('/v1/settings/complaints')) });

  const act = useMutation({
    mutationFn: ({ action, values, version }: { action: ActionName; values: ActionForm; version: number }) =>
      call(
        api.POST('/v1/complaints/{complaintId}/actions', {
          params: { path: { complaintId }, header: { 'Idempotency-Key': attempt.current?.key ?? crypto.randomUUID() } },
          body: actionBody(action, values, version),
        }),
      ),
    onSuccess: (data, { action }) => {
      attempt.current = null;
      setOpen(null);
      setFormError(null);
      form.resetFields();
      setNotice({ type: 'success', title: t('action.done', { action: t(`action.${action}`) }) });
      if (data.timeline) queryClient.setQueryData(key, data);
      void queryClient.invalidateQueries({ queryKey: key });
      void queryClient.invalidateQueries({ queryKey: ['/v1/complaints'] });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status < 500) attempt.current = null;
      if (error instanceof ApiError && error.status === 409) {
        setOpen(null);
        setFormError(null);
        setNotice({ type: 'warning', title: t('action.conflict'), detail: error.detail });
        void q.refetch();
        return;
      }
      if (open && error instanceof ApiError && error.fields.length > 0) {
        form.setFields(error.fields.map((f) => ({ name: fieldPath(f.field) as never, errors: [f.message] })));
      }
      if (open) {
        setFormError(error instanceof ApiError ? error : null);
        return;
      }
      const kind = errorKind(error);
      setNotice({ type: 'error', title: tc(`error.${kind}`), text: tc(`error.${kind}.text`), detail: error instanceof ApiError ? error.detail : undefined });
    },
  });

  if (q.isPending) {
    return (
      <Page title={t('case.title')}>
        <div role="status" style={{ textAlign: 'center', padding: 48 }}>
          <Spin description={t('case.loading')} />
        </div>
      </Page>
    );
  }
  if (q.isError) {
    return (
      <Page title={t('case.title')} extra={<BackLink />}>
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      </Page>
    );
  }

  const c: Complaint = q.data;
  const zone = scope.zoneOf(c.locationId);
  const actions = allowedActions(c.status, principal);
  const location = scope.locations.find((l) => l.locationId === c.locationId);
  const st = settings.data;
  const run = (action: ActionName, values: ActionForm = {}) => {
    setNotice(null);
    if (attempt.current?.action !== action) attempt.current = { action, key: crypto.randomUUID() };
    act.mutate({ action, values, version: c.version });
  };
  const startForm = (action: ActionName) => {
    attempt.current = null;
    setFormError(null);
    form.resetFields();
    if (action === 'resolve') form.setFieldsValue({ compensationPoints: 0 });
    setOpen(action);
  };

  const actionButtons = actions.map((a) => {
    const button = (
      <Button
        key={a}
        type={a === 'resolve' || a === 'acknowledge' ? 'primary' : 'default'}
        loading={act.isPending && act.variables?.action === a}
        disabled={act.isPending}
        onClick={FORM_ACTIONS.includes(a) ? () => startForm(a) : CONFIRMED.includes(a) ? undefined : () => run(a)}
      >
        {t(`action.${a}`)}
      </Button>
    );
    if (!CONFIRMED.includes(a)) return button;
    return (
      <Popconfirm
        key={a}
        title={t('action.confirm', { action: t(`action.${a}`) })}
        okText={t('action.yes')}
        cancelText={t('action.no')}
        onConfirm={() => run(a)}
      >
        {button}
      </Popconfirm>
    );
  });

  const rootCauses = st?.rootCauses ?? [];
  const categories = st?.categories ?? [];
  const teams = Object.keys(st?.teams ?? {});
  const required = [{ required: true, whitespace: true, message: t('form.required') }];

  const formFields = (a: ActionName) => {
    switch (a) {
      case 'assign':
        return (
          <>
            <Form.Item label={t('form.assignee')} name="assignee" rules={required}>
              <Input autoComplete="off" translate="no" />
            </Form.Item>
            <Button style={{ marginBottom: 16 }} onClick={() => form.setFieldsValue({ assignee: principal.subject })}>
              {t('form.assignMe')}
            </Button>
            {teams.length > 0 && (
              <Form.Item label={t('form.team')} name="team">
                <Select allowClear options={teams.map((id) => ({ value: id, label: <span translate="no">{id}</span> }))} />
              </Form.Item>
            )}
          </>
        );
      case 'note':
        return (
          <>
            <Form.Item label={t('form.note')} name="note" rules={required}>
              <Input.TextArea rows={4} maxLength={5000} />
            </Form.Item>
            <Form.Item name="public" valuePropName="checked">
              <Checkbox>{t('form.public')}</Checkbox>
            </Form.Item>
          </>
        );
      case 'resolve':
        return (
          <>
            <Form.Item label={t('form.resolution')} name="resolution" rules={required}>
              <Input.TextArea rows={3} maxLength={5000} />
            </Form.Item>
            <Form.Item label={t('form.rootCause')} name="rootCause" rules={[{ required: true, message: t('form.required') }]}>
              <Select options={rootCauses.map((r) => ({ value: r, label: label('rootCause', r) }))} loading={settings.isPending} />
            </Form.Item>
            <Form.Item label={t('form.points')} name="compensationPoints">
              <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
            {c.customerId && (
              <Row gutter={12}>
                <Col span={14}>
                  <Form.Item label={t('form.voucher', { currency: location?.currency ?? '' })} name="voucherAmount">
                    <InputNumber min={0.01} max={1000000} precision={2} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col span={10}>
                  <Form.Item label={t('form.voucherDays')} name="voucherDays">
                    <InputNumber min={1} max={3660} precision={0} placeholder={String(VOUCHER_DAYS)} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              </Row>
            )}
            <Form.Item label={t('form.remark')} name="note">
              <Input.TextArea rows={2} maxLength={5000} />
            </Form.Item>
          </>
        );
      case 'triage':
        return (
          <>
            <Form.Item label={t('form.severity')} name="severity">
              <Select allowClear placeholder={t('form.keep')} options={SEVERITIES.map((s) => ({ value: s, label: label('severity', s) }))} />
            </Form.Item>
            <Form.Item label={t('form.category')} name="category">
              <Select allowClear placeholder={t('form.keep')} options={categories.map((x) => ({ value: x, label: label('category', x) }))} />
            </Form.Item>
            <Form.Item label={t('form.remark')} name="note">
              <Input.TextArea rows={2} maxLength={5000} />
            </Form.Item>
          </>
        );
      default:
        return null;
    }
  };

  const events = timelineView(c.timeline ?? [], view);
  const clockDetail = (due: string, clock: Complaint['acknowledgeClock']) => (
    <span>
      {formatDateTime(due, zone, locale)}
      {clock?.met !== undefined && (
        <Tag color={clock.met ? 'green' : 'red'} style={{ marginInlineStart: 8 }}>
          {clock.met ? t('clock.met') : t('clock.missed')}
        </Tag>
      )}
    </span>
  );

  return (
    <Page
      title={t('case.title')}
      extra={
        <Space wrap>
          <BackLink />
          <Button icon={<ReloadOutlined />} onClick={() => void q.refetch()} loading={q.isFetching}>
            {t('case.reload')}
          </Button>
        </Space>
      }
    >
      {notice && (
        <Alert
          type={notice.type}
          showIcon
          closable
          onClose={() => setNotice(null)}
          role={notice.type === 'success' ? 'status' : 'alert'}
          title={notice.title}
          description={
            notice.text || notice.detail ? (
              <>
                {notice.text}
                {notice.detail && (
                  <div lang="en" style={{ fontSize: 12 }}>
                    {tc('details', { detail: notice.detail })}
                  </div>
                )}
              </>
            ) : undefined
          }
          style={{ marginBottom: 16 }}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Flex vertical gap={16}>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('case.details')}</h2>} extra={<SlaCell c={c} timeZone={zone} />}>
              <Descriptions
                size="small"
                column={{ xs: 1, sm: 2 }}
                items={[
                  { key: 'ref', label: t('case.reference'), children: <span translate="no" data-testid="case-reference">{c.reference}</span> },
                  {
                    key: 'status',
                    label: t('case.status'),
                    children: (
                      <span data-testid="case-status" data-status={c.status}>
                        <Tag color={STATUS_COLOR[c.status]}>{label('status', c.status)}</Tag>
                        {c.breached && <Tag color="red">{t('breachedTag')}</Tag>}
                      </span>
                    ),
                  },
                  { key: 'loc', label: t('case.location'), children: <span translate="no">{location?.name ?? c.locationId}</span> },
                  { key: 'channel', label: t('case.channel'), children: label('channel', c.channel) },
                  { key: 'category', label: t('case.category'), children: label('category', c.category) },
                  { key: 'severity', label: t('case.severity'), children: label('severity', c.severity) },
                  {
                    key: 'assignee',
                    label: t('case.assignee'),
                    children: c.assignee ? <span translate="no" data-testid="case-assignee">{c.assignee}</span> : t('case.unassigned'),
                  },
                  ...(c.team ? [{ key: 'team', label: t('case.team'), children: <span translate="no">{c.team}</span> }] : []),
                  ...(c.staffId
                    ? [{ key: 'staffId', label: t('case.staffId'), children: <span translate="no" data-testid="case-staff">{c.staffId}</span> }]
                    : []),
                  { key: 'created', label: t('case.created'), children: formatDateTime(c.createdAt, zone, locale) },
                  { key: 'ack', label: t('case.acknowledgeBy'), children: clockDetail(c.acknowledgeBy, c.acknowledgeClock) },
                  { key: 'res', label: t('case.resolveBy'), children: clockDetail(c.resolveBy, c.resolveClock) },
                  { key: 'version', label: t('case.version'), children: <span translate="no">{c.version}</span> },
                  ...(c.resolution
                    ? [{ key: 'resolution', label: t('case.resolution'), span: 'filled' as const, children: <span translate="no">{c.resolution}</span> }]
                    : []),
                  ...(c.rootCause ? [{ key: 'rootCause', label: t('case.rootCause'), children: label('rootCause', c.rootCause) }] : []),
                  ...(c.resolvedBy
                    ? [{ key: 'resolvedBy', label: t('case.resolvedBy'), children: <span translate="no">{c.resolvedBy}</span> }]
                    : []),
                  ...(c.compensationPoints
                    ? [{ key: 'points', label: t('case.points'), children: formatNumber(c.compensationPoints, locale) }]
                    : []),
                  ...(c.compensationVoucher?.code
                    ? [
                        {
                          key: 'voucher',
                          label: t('case.voucher'),
                          children: (
                            <span>
                              <span translate="no">{c.compensationVoucher.code}</span>
                              {' · '}
                              {c.compensationVoucher.value.percentOff
                                ? `${c.compensationVoucher.value.percentOff}%`
                                : formatMoney(c.compensationVoucher.value.amountOff ?? 0, c.compensationVoucher.value.currency ?? '', locale)}
                            </span>
                          ),
                        },
                      ]
                    : []),
                  ...(c.reopens ? [{ key: 'reopens', label: t('case.reopens'), children: formatNumber(c.reopens, locale) }] : []),
                ]}
              />
              <h3 style={{ fontSize: 14, marginTop: 16 }}>{t('case.description')}</h3>
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>
                <span translate="no">{c.description}</span>
              </Typography.Paragraph>
            </Card>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('actions.title')}</h2>}>
              {actions.length === 0 ? (
                <Typography.Text type="secondary">{t('actions.none')}</Typography.Text>
              ) : (
                <Flex wrap gap={8} role="group" aria-label={t('actions.title')}>
                  {actionButtons}
                </Flex>
              )}
            </Card>
            <Card
              title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('timeline.title')}</h2>}
            >
              <Segmented<TimelineView>
                size="small"
                aria-label={t('timeline.title')}
                value={view}
                onChange={setView}
                style={{ marginBottom: 16 }}
                options={[
                  { value: 'all', label: t('timeline.all') },
                  { value: 'public', label: t('timeline.public') },
                  { value: 'internal', label: t('timeline.internal') },
                ]}
              />
              {events.length === 0 ? (
                <Typography.Text type="secondary">{t('timeline.empty')}</Typography.Text>
              ) : (
                <Timeline
                  items={events.map((e) => ({
                    key: `${e.seq}-${e.type}`,
                    color: e.type === 'sla_breach' ? 'red' : e.internal ? 'gray' : 'blue',
                    content: <EventEntry e={e} timeZone={zone} />,
                  }))}
                />
              )}
            </Card>
          </Flex>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('customer.title')}</h2>}>
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: 'contact', label: t('case.contact'), children: <span translate="no">{c.contact?.name ?? '—'}</span> },
                ...(c.contact?.phone ? [{ key: 'phone', label: t('customer.phone'), children: <span translate="no">{c.contact.phone}</span> }] : []),
                ...(c.contact?.email ? [{ key: 'email', label: t('customer.email'), children: <span translate="no">{c.contact.email}</span> }] : []),
              ]}
            />
            <div style={{ marginTop: 12 }}>
              {c.customerId ? (
                <CustomerCard customerId={c.customerId} timeZone={zone} />
              ) : (
                <Typography.Text type="secondary">{t('case.noCustomer')}</Typography.Text>
              )}
            </div>
          </Card>
        </Col>
      </Row>
      <Modal
        open={open !== null}
        title={open ? t(`action.${open}`) : ''}
        okText={t('action.submit')}
        cancelText={t('action.cancel')}
        confirmLoading={act.isPending}
        onCancel={() => setOpen(null)}
        onOk={() => form.submit()}
        forceRender
      >
        <Form<ActionForm> form={form} layout="vertical" onFinish={(values) => open && run(open, values)}>
          {formError && !formError.fields.length && (
            <Alert type="error" showIcon style={{ marginBottom: 12 }} title={tc(`error.${errorKind(formError)}`)} />
          )}
          {open && formFields(open)}
        </Form>
      </Modal>
    </Page>
  );
}

function BackLink() {
  const t = useT(complaints);
  return (
    <Link to="/complaints">
      <ArrowLeftOutlined aria-hidden /> {t('case.back')}
    </Link>
  );
}
