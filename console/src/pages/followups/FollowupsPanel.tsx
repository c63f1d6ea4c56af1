import { useState } from 'react';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { Button, Card, Flex, Form, Input, Modal, Select, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ApiError } from '../../api/error';
import { RoleGate } from '../../components/RoleGate';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import followups from '../../i18n/followups';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { Data, fill } from '../customers/parts';
import type { Customer } from '../customers/model';
import { FollowupTable } from './FollowupTable';
import { useCancelFollowup, useRefreshFollowups } from './cancel';
import { STATUS_COLOR, channelText, kindText, statusText } from './labels';
import { channelOf, defaultDue, givenTime, scheduleBody, type Channel, type Followup, type ScheduleForm } from './model';

/** The query key of a customer's follow-ups (under ['/v1/followups'], which refreshes every list). */
export const followupsKey = (customerId: string) => ['/v1/followups', 'customer', customerId] as const;

/**
 * A customer's follow-ups (GET /v1/followups?customerId=), newest first, each with its
 * status and, when skipped or failed, the reason; a message can be scheduled and one
 * not yet sent cancelled. Times are in the customer's home location's zone.
 */
export function FollowupsPanel({ customer, headingLevel = 2 }: { customer: Customer; headingLevel?: 2 | 3 }) {
  const t = useT(followups);
  const locale = useLocale();
  const api = useApi();
  const { zoneOf, locations } = useLocationScope();
  const zone = zoneOf(customer.locationId);
  const [open, setOpen] = useState(false);
  const refresh = useRefreshFollowups();
  const cancel = useCancelFollowup();

  const q = useInfiniteQuery({
    queryKey: followupsKey(customer.customerId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(api.GET('/v1/followups', { params: { query: { customerId: customer.customerId, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  const at = (v: string | undefined) => {
    const given = givenTime(v);
    return given ? formatDateTime(given, zone, locale) : '—';
  };
  const columns: TableColumnsType<Followup> = [
    { title: t('col.kind'), dataIndex: 'kind', key: 'kind', render: (k: string) => kindText(t, k) },
    {
      title: t('col.status'),
      dataIndex: 'status',
      key: 'status',
      render: (s: string) => <Tag color={STATUS_COLOR[s] ?? 'default'}>{statusText(t, s)}</Tag>,
    },
    {
      title: t('col.due'),
      key: 'due',
      render: (_, f) => (
        <Flex vertical>
          <span>{at(f.dueAt)}</span>
          {f.requestedAt && f.requestedAt !== f.dueAt && Math.abs(Date.parse(f.requestedAt) - Date.parse(f.dueAt)) >= 60_000 && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('due.moved', { at: at(f.requestedAt) })}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      title: t('col.channel'),
      key: 'channel',
      responsive: ['sm'],
      render: (_, f) => {
        const ch = channelOf(f);
        return ch ? channelText(t, ch) : '—';
      },
    },
    { title: t('col.sent'), dataIndex: 'sentAt', key: 'sentAt', responsive: ['md'], render: (v?: string) => at(v) },
    {
      title: t('col.reason'),
      dataIndex: 'skipReason',
      key: 'skipReason',
      responsive: ['md'],
      render: (v?: string) => (v ? <Data lang="en">{v}</Data> : '—'),
    },
    { title: t('col.actions'), key: 'actions', render: (_, f) => cancel.button(f, at(f.dueAt)) },
  ];

  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <Card
      title={<Heading style={{ fontSize: 16, margin: 0 }}>{t('list.title')}</Heading>}
      extra={
        <RoleGate action="followup.schedule">
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
            {t('schedule.button')}
          </Button>
        </RoleGate>
      }
    >
      {cancel.notices}
      {q.isError ? (
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <FollowupTable columns={columns} items={items} query={q} emptyText={t('list.empty')} />
      )}
      {open && (
        <ScheduleModal
          customer={customer}
          zone={zone}
          locationName={locations.find((l) => l.locationId === customer.locationId)?.name}
          onClose={() => setOpen(false)}
          onDone={(f) => {
            setOpen(false);
            cancel.say(t('schedule.done', { at: at(f.dueAt) }));
            refresh();
          }}
        />
      )}
    </Card>
  );
}

interface FormValues {
  due: string;
  channel: Channel;
  zh: string;
  en: string;
}

/**
 * Schedules a message (POST /v1/followups, kind message) at a time of the location;
 * mounted afresh for each message.
 */
function ScheduleModal({
  customer,
  zone,
  locationName,
  onClose,
  onDone,
}: {
  customer: Customer;
  zone: string;
  locationName: string | undefined;
  onClose: () => void;
  onDone: (f: Followup) => void;
}) {
  const t = useT(followups);
  const api = useApi();
  const [form] = Form.useForm<FormValues>();
  const [refusal, setRefusal] = useState<unknown>(undefined);
  const schedule = useMutation({
    mutationFn: (body: Exclude<ReturnType<typeof scheduleBody>, { field: string }>) => call(api.POST('/v1/followups', { body })),
    onSuccess: (f) => {
      onDone(f);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409 && e.field === 'channel') {
        form.setFields([{ name: 'channel', errors: [t('schedule.optedOut')] }]);
      } else if (e instanceof ApiError && e.status === 400 && e.field === 'to.address') {
        form.setFields([{ name: 'channel', errors: [t('schedule.noAddress')] }]);
      } else {
        setRefusal(e);
      }
    },
  });

  const submit = (v: FormValues) => {
    const form0: ScheduleForm = { due: v.due ?? '', channel: v.channel ?? '', zh: v.zh ?? '', en: v.en ?? '' };
    const body = scheduleBody(customer.customerId, form0, zone, undefined, new Date());
    if ('field' in body) {
      if (body.field === 'message') form.setFields([{ name: 'zh', errors: [t('schedule.needText')] }]);
      if (body.field === 'due') form.setFields([{ name: 'due', errors: [t('schedule.badDue')] }]);
      if (body.field === 'duePast') form.setFields([{ name: 'due', errors: [t('schedule.pastDue')] }]);
      return;
    }
    setRefusal(undefined);
    schedule.mutate(body);
  };

  return (
    <Modal
      open
      title={t('schedule.title')}
      onCancel={onClose}
      okText={t('schedule.submit')}
      cancelText={t('schedule.cancel')}
      onOk={() => form.submit()}
      confirmLoading={schedule.isPending}
    >
      <Form<FormValues>
        form={form}
        name="schedule"
        layout="vertical"
        onFinish={submit}
        initialValues={{ due: defaultDue(new Date(), zone), channel: '', zh: '', en: '' }}
      >
        <Form.Item
          name="due"
          label={fill(t('schedule.due'), { location: locationName ? <Data>{locationName}</Data> : t('homeLocation'), zone: <Data>{zone}</Data> })}
          extra={t('schedule.dueHint')}
        >
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item name="channel" label={t('schedule.channel')}>
          <Select
            options={[
              { value: '', label: t('channel.profile') },
              { value: 'email', label: t('channel.email') },
              { value: 'sms', label: t('channel.sms') },
            ]}
          />
        </Form.Item>
        <Form.Item name="zh" label={t('schedule.zh')} extra={t('schedule.textHint')}>
          <Input.TextArea rows={3} maxLength={2000} lang="zh-CN" />
        </Form.Item>
        <Form.Item name="en" label={t('schedule.en')}>
          <Input.TextArea rows={3} maxLength={2000} lang="en" />
        </Form.Item>
      </Form>
      {refusal !== undefined && <ErrorView error={refusal} />}
    </Modal>
  );
}
