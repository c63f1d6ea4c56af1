import { lazy, Suspense, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Descriptions, Flex, Form, Input, Table, Tag, Typography, message, type TableColumnsType } from 'antd';
import { DeleteOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { useAuth } from '../../auth/AuthProvider';
import { can } from '../../auth/access';
import type { ChartOption } from '../../components/Chart';
import { ErrorView } from '../../components/ErrorView';
import { PeriodPicker } from '../../components/PeriodPicker';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import { RoleGate } from '../../components/RoleGate';
import team from '../../i18n/team';
import { useLocale, useT } from '../../i18n';
import { dayInZone, formatNumber, formatPercent } from '../../lib/format';
import { Data, fill } from '../customers/parts';
import { SaveProblem, showFieldErrors } from '../settings/parts';
import { daysBefore } from '../vouchers/model';
import { STAFF_ID, durationParts, medianParts, staffLabel, trendRows, type BucketMedian, type StaffFigures, type StaffMember } from './model';

// ECharts comes with a staff member's detail only, when it is opened.
const Chart = lazy(() => import('../../components/Chart'));

/**
 * The Team page: staff performance for the period at the location picked in the header
 * (or all of mine) — a manager sees their locations' staff, an agent their own line —
 * and, for managers, the location's staff directory that names the ids.
 */
export default function TeamArea() {
  const t = useT(team);
  return (
    <Page title={t('title')}>
      <Flex vertical gap={16}>
        <StaffPerformance />
        <RoleGate action="staff.name">
          <StaffDirectory />
        </RoleGate>
      </Flex>
    </Page>
  );
}

function StaffPerformance() {
  const t = useT(team);
  const locale = useLocale();
  const api = useApi();
  const { principal } = useAuth();
  const { locationId, location, zone, loading } = useLocationScope();
  const today = dayInZone(new Date(), zone);
  const [period, setPeriod] = useState<[string, string]>([daysBefore(today, 29), today]);
  const query = { from: period[0], to: period[1], ...(locationId ? { locationId } : {}) };
  const q = useQuery({
    queryKey: ['/v1/reports/staff', query],
    queryFn: () => call(api.GET('/v1/reports/staff', { params: { query } })),
    enabled: !loading,
  });
  const min = q.data?.minResponses ?? 0;
  const rate = (r: number | null | undefined) => (r === null || r === undefined ? '—' : formatPercent(r, locale));
  const median = (m: BucketMedian | null | undefined) => {
    const p = medianParts(m);
    if (!p) return '—';
    const d = durationParts(p.minutes);
    return t(p.key, { time: t(d.key, { n: formatNumber(d.n, locale) }) });
  };
  const score = (f: StaffFigures, v: number | null, format: (n: number) => string) =>
    f.notEnoughData ? (
      <Tag title={t('notEnoughHint', { count: f.responses, min })}>{t('notEnough')}</Tag>
    ) : v === null ? (
      '—'
    ) : (
      format(v)
    );
  const num = (n: number) => formatNumber(n, locale);
  const columns: TableColumnsType<StaffFigures> = [
    { title: t('col.staff'), key: 'staff', fixed: 'left', render: (_, f) => <Data>{staffLabel(f)}</Data> },
    { title: t('col.visits'), dataIndex: 'visits', key: 'visits', align: 'right', render: num },
    { title: t('col.responses'), dataIndex: 'responses', key: 'responses', align: 'right', render: num },
    { title: t('col.nps'), key: 'nps', align: 'right', render: (_, f) => score(f, f.nps, (n) => formatNumber(n, locale)) },
    { title: t('col.csat'), key: 'csat', align: 'right', render: (_, f) => score(f, f.csat, (n) => formatPercent(n / 100, locale)) },
    { title: t('col.attributed'), dataIndex: 'complaintsAttributed', key: 'attributed', align: 'right', render: num },
    { title: t('col.handled'), dataIndex: 'casesHandled', key: 'handled', align: 'right', render: num },
    { title: t('col.sla'), dataIndex: 'slaCompliance', key: 'sla', align: 'right', render: rate },
    { title: t('col.ackSla'), dataIndex: 'acknowledgeCompliance', key: 'ackSla', align: 'right', responsive: ['lg'], render: rate },
    { title: t('col.ackMedian'), dataIndex: 'medianAcknowledgeMinutes', key: 'ackMedian', align: 'right', responsive: ['lg'], render: median },
    { title: t('col.resolveMedian'), dataIndex: 'medianResolveMinutes', key: 'resolveMedian', align: 'right', responsive: ['lg'], render: median },
    { title: t('col.reopen'), dataIndex: 'reopenRate', key: 'reopen', align: 'right', render: rate },
    {
      title: t('col.compensation'),
      key: 'compensation',
      align: 'right',
      responsive: ['xl'],
      render: (_, f) => t('compensation', { points: num(f.compensationPoints), vouchers: num(f.compensationVouchers) }),
    },
  ];
  const own = !can(principal, 'staff.name');

  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('report.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t(own ? 'report.introOwn' : 'report.intro', { min: min || '…' })}</Typography.Paragraph>
      <Flex wrap gap={16} align="center" style={{ marginBottom: 16 }}>
        <PeriodPicker label={t('report.period')} value={period} onChange={setPeriod} />
        <Typography.Text type="secondary">{fill(t('report.scope'), { names: location ? <Data>{location.name}</Data> : t('report.allMine') })}</Typography.Text>
      </Flex>
      {q.isError ? (
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Table<StaffFigures>
          rowKey="staffId"
          size="small"
          pagination={false}
          loading={q.isPending}
          scroll={{ x: 'max-content' }}
          columns={columns}
          dataSource={q.data?.staff ?? []}
          locale={{ emptyText: t('report.empty') }}
          expandable={{ expandedRowRender: (f) => <StaffDetail f={f} /> }}
        />
      )}
    </Card>
  );
}

/** One staff member opened: their dimension means and their weeks. */
function StaffDetail({ f }: { f: StaffFigures }) {
  const t = useT(team);
  const locale = useLocale();
  const dims = Object.entries(f.dimensions).sort(([a], [b]) => a.localeCompare(b));
  const rows = trendRows(f.trend);
  const option = {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 40, top: 32, bottom: 24 },
    xAxis: { type: 'category', data: rows.map((r) => r.week) },
    yAxis: [
      { type: 'value', min: -100, max: 100 },
      { type: 'value', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { name: t('col.nps'), type: 'line', connectNulls: false, data: rows.map((r) => r.nps) },
      { name: t('col.csat'), type: 'line', connectNulls: false, data: rows.map((r) => r.csat) },
      { name: t('detail.visits'), type: 'bar', yAxisIndex: 1, data: rows.map((r) => r.visits) },
    ],
  } as ChartOption;
  return (
    <Flex vertical gap={12}>
      <Typography.Text strong>{t('detail.dimensions')}</Typography.Text>
      {dims.length === 0 ? (
        <Typography.Text type="secondary">{t('detail.noDimensions')}</Typography.Text>
      ) : (
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} items={dims.map(([d, mean]) => ({ key: d, label: <Data>{d}</Data>, children: formatNumber(mean, locale, 2) }))} />
      )}
      <Typography.Text strong>{t('detail.trend')}</Typography.Text>
      <Suspense fallback={<Typography.Text type="secondary">{t('detail.loading')}</Typography.Text>}>
        <Chart option={option} label={t('detail.trendLabel')} height={220} />
      </Suspense>
    </Flex>
  );
}

interface NameForm {
  staffId: string;
  name: string;
}

/** The staff directory of the location picked (managers): names for staff ids. */
function StaffDirectory() {
  const t = useT(team);
  const api = useApi();
  const qc = useQueryClient();
  const { locationId, location } = useLocationScope();
  const [form] = Form.useForm<NameForm>();
  const key = ['/v1/locations/{locationId}/staff', locationId];
  const q = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/v1/locations/{locationId}/staff', { params: { path: { locationId: locationId! } } })),
    enabled: !!locationId,
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: ['/v1/reports/staff'] });
  };
  const save = useMutation({
    mutationFn: (v: NameForm) =>
      call(api.PUT('/v1/locations/{locationId}/staff/{staffId}', { params: { path: { locationId: locationId!, staffId: v.staffId.trim() } }, body: { name: v.name.trim() } })),
    onSuccess: () => {
      void message.success(t('dir.saved'));
      form.resetFields();
      refresh();
    },
    onError: (e) => showFieldErrors(form, e, (f) => (f === 'staffId' || f === 'name' ? [f] : undefined)),
  });
  const remove = useMutation({
    mutationFn: (staffId: string) => call(api.DELETE('/v1/locations/{locationId}/staff/{staffId}', { params: { path: { locationId: locationId!, staffId } } })),
    onSuccess: () => {
      void message.success(t('dir.removed'));
      refresh();
    },
  });
  const columns: TableColumnsType<StaffMember> = [
    { title: t('dir.name'), dataIndex: 'name', key: 'name', render: (n: string) => <Data>{n}</Data> },
    { title: t('dir.staffId'), dataIndex: 'staffId', key: 'staffId', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
    {
      key: 'remove',
      align: 'right',
      render: (_, m) => (
        <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('dir.remove', { name: m.name })} loading={remove.isPending && remove.variables === m.staffId} onClick={() => remove.mutate(m.staffId)} />
      ),
    },
  ];
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('dir.title')}</h2>}>
      {!locationId ? (
        <Typography.Paragraph type="secondary">{t('dir.pick')}</Typography.Paragraph>
      ) : (
        <Flex vertical gap={12}>
          <Typography.Paragraph type="secondary">{fill(t('dir.intro'), { location: <Data>{location?.name ?? locationId}</Data> })}</Typography.Paragraph>
          {(save.isError || remove.isError) && <SaveProblem error={(save.error ?? remove.error)!} elsewhere={[]} onReload={() => (save.reset(), remove.reset())} />}
          <Form form={form} layout="inline" onFinish={(v) => save.mutate(v)} requiredMark={false}>
            <Form.Item name="staffId" label={t('dir.staffId')} rules={[{ required: true, message: t('dir.required') }, { pattern: STAFF_ID, message: t('dir.staffId') }]}>
              <Input autoComplete="off" style={{ width: 220 }} />
            </Form.Item>
            <Form.Item name="name" label={t('dir.name')} rules={[{ required: true, whitespace: true, message: t('dir.required') }, { max: 80 }]}>
              <Input autoComplete="off" style={{ width: 220 }} />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={save.isPending}>
                {t('dir.save')}
              </Button>
            </Form.Item>
          </Form>
          {q.isError ? (
            <ErrorView error={q.error} onRetry={() => void q.refetch()} />
          ) : (
            <Table<StaffMember> rowKey="staffId" size="small" pagination={false} loading={q.isPending} columns={columns} dataSource={q.data?.items ?? []} locale={{ emptyText: t('dir.empty') }} />
          )}
        </Flex>
      )}
    </Card>
  );
}
