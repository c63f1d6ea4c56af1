import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, Modal, Select, Tag, Typography } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ApiError } from '../../api/error';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { RoleGate } from '../../components/RoleGate';
import customers from '../../i18n/customers';
import { useLocale, useT } from '../../i18n';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../lib/format';
import { CustomerName, Data, WRAP_TITLE } from './parts';
import { profileForm, profilePatch, type Customer, type ProfileForm } from './model';

const h2 = { fontSize: 16, margin: 0 } as const;

/** The profile: who the customer is and how to reach them, editable by staff. */
export function ProfileCard({ customer: c, currency }: { customer: Customer; currency: string | undefined }) {
  const t = useT(customers);
  const locale = useLocale();
  const { locations, zoneOf } = useLocationScope();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const zone = zoneOf(c.locationId);
  const place = (id: string) => locations.find((l) => l.locationId === id)?.name ?? id;
  const none = t('none');
  return (
    <Card
      styles={WRAP_TITLE}
      title={
        <h2 style={h2}>
          {t('profile.title')}: <CustomerName c={c} />
        </h2>
      }
      extra={
        <RoleGate action="customer.edit">
          <Button
            icon={<EditOutlined />}
            onClick={() => {
              setSaved(false);
              setEditing(true);
            }}
          >
            {t('profile.edit')}
          </Button>
        </RoleGate>
      }
    >
      {saved && <Alert type="success" showIcon title={t('profile.saved')} closable onClose={() => setSaved(false)} style={{ marginBottom: 12 }} />}
      <Descriptions column={{ xs: 1, sm: 2, lg: 1, xxl: 2 }} size="small">
        <Descriptions.Item label={t('profile.phone')}>{c.phone ? <Data>{c.phone}</Data> : none}</Descriptions.Item>
        <Descriptions.Item label={t('profile.email')}>{c.email ? <Data>{c.email}</Data> : none}</Descriptions.Item>
        <Descriptions.Item label={t('profile.birthday')}>{c.birthday ? <Data>{c.birthday}</Data> : none}</Descriptions.Item>
        <Descriptions.Item label={t('profile.locale')}>{c.locale ? t(`profile.locale.${c.locale}`) : t('profile.locale.none')}</Descriptions.Item>
        <Descriptions.Item label={t('profile.timeZone')}>{c.timeZone ? <Data>{c.timeZone}</Data> : none}</Descriptions.Item>
        <Descriptions.Item label={t('profile.location')}>{c.locationId ? <Data>{place(c.locationId)}</Data> : none}</Descriptions.Item>
        {c.servedAt && c.servedAt.length > 0 && (
          <Descriptions.Item label={t('profile.servedAt')}>
            <Data>{c.servedAt.map(place).join(', ')}</Data>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('profile.tags')}>
          {c.tags && c.tags.length > 0
            ? c.tags.map((tag) => (
                <Tag key={tag}>
                  <Data>{tag}</Data>
                </Tag>
              ))
            : none}
        </Descriptions.Item>
        <Descriptions.Item label={t('profile.visits')}>
          <Data>{formatNumber(c.visits, locale)}</Data>
        </Descriptions.Item>
        <Descriptions.Item label={t('profile.spent')}>
          <Data>{currency ? formatMoney(c.monetary, currency, locale) : formatNumber(c.monetary, locale, 2)}</Data>
        </Descriptions.Item>
        <Descriptions.Item label={t('profile.firstVisit')}>{c.firstVisit ? formatDate(c.firstVisit, zone, locale) : none}</Descriptions.Item>
        <Descriptions.Item label={t('profile.lastVisit')}>{c.lastVisit ? formatDate(c.lastVisit, zone, locale) : none}</Descriptions.Item>
        {c.createdAt && <Descriptions.Item label={t('profile.since')}>{formatDateTime(c.createdAt, zone, locale)}</Descriptions.Item>}
      </Descriptions>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        <Data>{c.customerId}</Data>
      </Typography.Text>
      {editing && (
        <EditProfile
          customer={c}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
          }}
        />
      )}
    </Card>
  );
}

/**
 * The edit form, mounted afresh for each edit with the profile as read: only changed
 * fields are sent, with the version read (a 409 if it moved meanwhile).
 */
function EditProfile({ customer, onClose, onSaved }: { customer: Customer; onClose: () => void; onSaved: () => void }) {
  const t = useT(customers);
  const api = useApi();
  const qc = useQueryClient();
  const { locations } = useLocationScope();
  const [form] = Form.useForm<ProfileForm>();
  const [problem, setProblem] = useState<unknown>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const save = useMutation({
    mutationFn: (body: NonNullable<ReturnType<typeof profilePatch>>) =>
      call(api.PATCH('/v1/customers/{customerId}', { params: { path: { customerId: customer.customerId } }, body })),
    onSuccess: (data) => {
      qc.setQueryData(['/v1/customers/{customerId}', customer.customerId], data);
      void qc.invalidateQueries({ queryKey: ['/v1/customers'] });
      onSaved();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 400 && e.fields.length > 0) {
        const known = new Set(['name', 'phone', 'email', 'birthday', 'locale', 'timeZone', 'locationId']);
        const mine = e.fields.filter((f) => known.has(f.field) || f.field.startsWith('tags'));
        if (mine.length > 0) {
          form.setFields(mine.map((f) => ({ name: (f.field.startsWith('tags') ? 'tags' : f.field) as keyof ProfileForm, errors: [f.message] })));
          return;
        }
      }
      if (e instanceof ApiError && e.status === 409) {
        if (e.reason === 'profile-changed') {
          setNote(t('profile.changed'));
          void qc.invalidateQueries({ queryKey: ['/v1/customers/{customerId}', customer.customerId] });
        } else {
          setNote(t('profile.conflict'));
        }
        return;
      }
      setProblem(e);
    },
  });
  const locationOptions = [
    ...locations.map((l) => ({ value: l.locationId, label: <Data>{l.name}</Data> })),
    ...(customer.locationId && !locations.some((l) => l.locationId === customer.locationId)
      ? [{ value: customer.locationId, label: <Data>{customer.locationId}</Data> }]
      : []),
  ];
  return (
    <Modal
      open
      title={t('profile.edit')}
      okText={t('profile.save')}
      cancelText={t('profile.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
    >
      <Form<ProfileForm>
        form={form}
        name="profile"
        layout="vertical"
        initialValues={profileForm(customer)}
        onFinish={(values) => {
          setProblem(undefined);
          setNote(undefined);
          const body = profilePatch(customer, { ...profileForm(customer), ...values });
          if (!body) {
            setNote(t('profile.unchanged'));
            return;
          }
          save.mutate(body);
        }}
      >
        <Form.Item name="name" label={t('profile.name')}>
          <Input maxLength={200} autoComplete="off" />
        </Form.Item>
        <Form.Item name="phone" label={t('profile.phone')} extra={t('profile.phoneHint')}>
          <Input inputMode="tel" autoComplete="off" />
        </Form.Item>
        <Form.Item name="email" label={t('profile.email')}>
          <Input type="email" inputMode="email" autoComplete="off" />
        </Form.Item>
        <Form.Item name="birthday" label={t('profile.birthday')} extra={t('profile.birthdayHint')}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="locale" label={t('profile.locale')}>
          <Select
            options={[
              { value: '', label: t('profile.locale.none'), disabled: true },
              { value: 'zh-CN', label: t('profile.locale.zh-CN') },
              { value: 'en', label: t('profile.locale.en') },
            ]}
          />
        </Form.Item>
        <Form.Item name="timeZone" label={t('profile.timeZone')} extra={t('profile.timeZoneHint')}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="locationId" label={t('profile.location')}>
          <Select options={locationOptions} />
        </Form.Item>
        <Form.Item name="tags" label={t('profile.tags')} extra={t('profile.tagsHint')}>
          <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} />
        </Form.Item>
      </Form>
      {note && <Alert type="warning" showIcon title={note} />}
      {problem !== undefined && <ErrorView error={problem} />}
    </Modal>
  );
}

/** What the customer is worth, as the value job last computed it. */
export function ValueCard({ customer: c, currency }: { customer: Customer; currency: string | undefined }) {
  const t = useT(customers);
  const locale = useLocale();
  const { zoneOf } = useLocationScope();
  const v = c.value;
  const known = <K extends string>(prefix: string, value: string | undefined, keys: readonly K[]) =>
    value && (keys as readonly string[]).includes(value) ? t(`${prefix}.${value}` as Parameters<typeof t>[0]) : value ? <Data>{value}</Data> : t('none');
  return (
    <Card title={<h2 style={h2}>{t('value.title')}</h2>}>
      {!v ? (
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('value.none')}
        </Typography.Paragraph>
      ) : (
        <Descriptions column={{ xs: 1, sm: 2, lg: 1, xxl: 2 }} size="small">
          <Descriptions.Item label={t('value.tier')}>
            <Tag color={v.tier === 'vip' ? 'gold' : v.tier === 'key' ? 'blue' : undefined}>{known('value.tier', v.tier, ['vip', 'key', 'potential', 'regular'])}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('value.rfm')}>
            <Data>{`${v.rfm.r} · ${v.rfm.f} · ${v.rfm.m}`}</Data>
          </Descriptions.Item>
          <Descriptions.Item label={t('value.abc')}>
            <Data>{v.abc}</Data>
          </Descriptions.Item>
          <Descriptions.Item label={t('value.clv')}>
            <Data>{currency ? formatMoney(v.clv.value, currency, locale) : formatNumber(v.clv.value, locale, 2)}</Data>
          </Descriptions.Item>
          {v.satisfaction && (
            <Descriptions.Item label={t('value.satisfaction')}>{known('value.satisfaction', v.satisfaction, ['promoter', 'passive', 'detractor'])}</Descriptions.Item>
          )}
          <Descriptions.Item label={t('value.computed')}>{formatDateTime(v.computedAt, zoneOf(c.locationId), locale)}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
