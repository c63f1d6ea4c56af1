import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Card, Form, InputNumber, Radio, Select, Typography, message } from 'antd';
import { call, useApi } from '../../api/client';
import { useAuth } from '../../auth/AuthProvider';
import { mayActAt } from '../../auth/principal';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import segments from '../../i18n/segments';
import { useT } from '../../i18n';
import { SaveBar, SaveProblem, showFieldErrors } from '../settings/parts';

interface WinBackSettings {
  winBack: { days: number; periodDays: number; locations?: Record<string, number> };
  version?: number;
}

interface WinBackForm {
  locationId: string;
  mode: 'general' | 'own';
  days?: number | null;
}

/** The body of PUT /v1/settings/value/win-back/{locationId}: own days, or null for the general ones. */
export function winBackRequest(f: WinBackForm, version: number): { days: number | null; version: number } {
  return { days: f.mode === 'own' ? Number(f.days ?? 0) : null, version };
}

/**
 * A location's own win-back days (its managers may set them; PUT
 * /v1/settings/value/win-back/{locationId} over the version of the value settings read).
 */
export function WinBackCard() {
  const t = useT(segments);
  const api = useApi();
  const qc = useQueryClient();
  const { principal } = useAuth();
  const { locations, locationId } = useLocationScope();
  const [form] = Form.useForm<WinBackForm>();
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  const key = ['/v1/settings/value'] as const;
  const q = useQuery({ queryKey: key, queryFn: async () => (await call(api.GET('/v1/settings/value'))) as unknown as WinBackSettings });
  const mine = locations.filter((l) => mayActAt(principal, l.locationId));
  const save = useMutation({
    mutationFn: async (f: WinBackForm) =>
      (await call(
        api.PUT('/v1/settings/value/win-back/{locationId}', {
          params: { path: { locationId: f.locationId } },
          body: winBackRequest(f, q.data?.version ?? 0),
        }),
      )) as unknown as WinBackSettings,
    onSuccess: (v) => {
      qc.setQueryData(key, v);
      void message.success(t('winBack.saved'));
    },
    onError: (e) => setElsewhere(showFieldErrors(form, e, (f) => (f.startsWith('winBack.locations.') || f === 'days' ? ['days'] : undefined))),
  });
  // A new version (saved here or reloaded) starts the form again from it.
  const version = q.data?.version;
  useEffect(() => {
    if (version !== undefined) form.resetFields();
  }, [version, form]);
  const title = <h2 style={{ fontSize: 16, margin: 0 }}>{t('winBack.title')}</h2>;
  if (q.isError) {
    return (
      <Card title={title}>
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      </Card>
    );
  }
  if (!q.data || mine.length === 0) return <Card loading={q.isPending} title={title}>{!q.isPending && t('winBack.noLocation')}</Card>;
  const wb = q.data.winBack;
  const initialLocation = locationId && mine.some((l) => l.locationId === locationId) ? locationId : mine[0]!.locationId;
  const formFor = (id: string): WinBackForm => {
    const own = wb.locations?.[id];
    return { locationId: id, mode: own === undefined ? 'general' : 'own', days: own ?? wb.days };
  };
  return (
    <Card title={title}>
      <Typography.Paragraph type="secondary">{wb.days > 0 ? t('winBack.general', { days: wb.days, period: wb.periodDays }) : t('winBack.generalOff')}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t('winBack.rules')}</Typography.Paragraph>
      {save.isError && (
        <SaveProblem
          error={save.error}
          elsewhere={elsewhere}
          onReload={() => {
            save.reset();
            void q.refetch();
          }}
        />
      )}
      <Form<WinBackForm>
        key={q.data.version ?? 0}
        form={form}
        layout="vertical"
        initialValues={formFor(initialLocation)}
        onValuesChange={(changed: Partial<WinBackForm>) => {
          if (changed.locationId) form.setFieldsValue(formFor(changed.locationId));
        }}
        onFinish={(f) => save.mutate(f)}
      >
        <Form.Item name="locationId" label={t('winBack.location')}>
          <Select aria-label={t('winBack.location')} options={mine.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> }))} style={{ maxWidth: 320 }} />
        </Form.Item>
        <Form.Item name="mode" label={t('winBack.mode')}>
          <Radio.Group
            options={[
              { value: 'general', label: t('winBack.useGeneral') },
              { value: 'own', label: t('winBack.useOwn') },
            ]}
          />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a: WinBackForm, b: WinBackForm) => a.mode !== b.mode}>
          {({ getFieldValue }) =>
            getFieldValue('mode') === 'own' && (
              <Form.Item name="days" label={t('winBack.days')} extra={t('winBack.daysHint')} rules={[{ required: true, message: t('field.required') }]}>
                <InputNumber min={0} max={3650} precision={0} suffix={t('unit.days')} style={{ width: 200 }} />
              </Form.Item>
            )
          }
        </Form.Item>
        <SaveBar saving={save.isPending} version={q.data.version ?? 0} />
      </Form>
    </Card>
  );
}
