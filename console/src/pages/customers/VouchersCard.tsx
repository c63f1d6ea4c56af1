import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, InputNumber, Modal, Radio, Select, Table, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { RoleGate } from '../../components/RoleGate';
import rewards from '../../i18n/rewards';
import { useLocale, useT } from '../../i18n';
import { formatDate } from '../../lib/format';
import { nameIn } from '../rewards/model';
import { SaveProblem, showFieldErrors } from '../settings/parts';
import { issueBody, type IssueFormValues, type Voucher } from '../vouchers/model';
import { Code, useValueText, VoucherStatusTag } from '../vouchers/parts';
import { Data, fill } from './parts';
import type { Customer } from './model';

export const vouchersKey = (customerId: string) => ['/v1/customers/{customerId}/vouchers', customerId] as const;

/**
 * A customer's vouchers, newest first, each with its code (a link to check and redeem
 * it), what it is worth, its status and until when; managers issue one by hand.
 */
export function VouchersCard({ customer: c, currency }: { customer: Customer; currency: string | undefined }) {
  const t = useT(rewards);
  const locale = useLocale();
  const api = useApi();
  const value = useValueText();
  const { zoneOf } = useLocationScope();
  const [issuing, setIssuing] = useState(false);
  const [issued, setIssued] = useState<Voucher | undefined>();
  const q = useQuery({
    queryKey: vouchersKey(c.customerId),
    queryFn: () => call(api.GET('/v1/customers/{customerId}/vouchers', { params: { path: { customerId: c.customerId } } })),
  });
  const columns: TableColumnsType<Voucher> = [
    {
      title: t('code'),
      dataIndex: 'printedCode',
      key: 'code',
      render: (code: string, v) => (
        <Link to={`/vouchers?code=${encodeURIComponent(v.code)}`} translate="no">
          {code}
        </Link>
      ),
    },
    {
      title: t('value'),
      key: 'value',
      render: (_, v) => (v.name ? <Data>{nameIn(v.name, locale)}</Data> : value(v.kind, v.value)),
    },
    { title: t('status'), dataIndex: 'status', key: 'status', render: (s: Voucher['status']) => <VoucherStatusTag status={s} /> },
    { title: t('expires'), dataIndex: 'expiresAt', key: 'expires', responsive: ['md'], render: (at: string, v) => formatDate(at, zoneOf(v.locationId), locale) },
  ];
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('card.title')}</h2>}
      extra={
        <RoleGate action="voucher.issue">
          <Button icon={<PlusOutlined />} onClick={() => setIssuing(true)}>
            {t('issue.button')}
          </Button>
        </RoleGate>
      }
    >
      {issued && (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setIssued(undefined)}
          style={{ marginBottom: 12 }}
          title={fill(t('issue.done'), { code: <Code code={issued.printedCode} /> })}
        />
      )}
      {q.isError ? (
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Table<Voucher>
          rowKey="code"
          size="small"
          columns={columns}
          dataSource={q.data?.vouchers ?? []}
          loading={q.isPending}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('card.empty') }}
        />
      )}
      <RoleGate action="voucher.issue">
        <IssueModal
          customerId={c.customerId}
          currency={currency}
          open={issuing}
          onClose={() => setIssuing(false)}
          onIssued={(v) => {
            setIssuing(false);
            setIssued(v);
          }}
        />
      </RoleGate>
    </Card>
  );
}

/** Issuing a voucher by hand (managers): value, where (among their locations), how long, why. */
function IssueModal({
  customerId,
  currency,
  open,
  onClose,
  onIssued,
}: {
  customerId: string;
  currency: string | undefined;
  open: boolean;
  onClose: () => void;
  onIssued: (v: Voucher) => void;
}) {
  const t = useT(rewards);
  const api = useApi();
  const qc = useQueryClient();
  const { locations, locationId } = useLocationScope();
  const [form] = Form.useForm<IssueFormValues>();
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  const valueType = Form.useWatch('valueType', form) ?? (currency ? 'amount' : 'percent');
  const issue = useMutation({
    mutationFn: (v: IssueFormValues) => call(api.POST('/v1/vouchers', { body: issueBody(customerId, v, currency, locationId) })),
    onSuccess: (v) => {
      void qc.invalidateQueries({ queryKey: vouchersKey(customerId) });
      onIssued(v);
    },
    onError: (e) =>
      setElsewhere(
        showFieldErrors(form, e, (f) =>
          f === 'value.amountOff' || f === 'value.currency' ? ['amountOff'] : f === 'value.percentOff' ? ['percentOff'] : /^locationIds/.test(f) ? ['locationIds'] : f === 'validDays' || f === 'reason' ? [f] : undefined,
        ),
      ),
  });
  const initial: IssueFormValues = { valueType: currency ? 'amount' : 'percent', locationIds: locationId ? [locationId] : [], validDays: 30, reason: '' };
  return (
    <Modal
      open={open}
      title={t('issue.title')}
      okText={t('issue.submit')}
      cancelText={t('issue.cancel')}
      okButtonProps={{ loading: issue.isPending }}
      onOk={() => form.submit()}
      onCancel={() => {
        issue.reset();
        onClose();
      }}
      destroyOnHidden
    >
      {issue.isError && <SaveProblem error={issue.error} elsewhere={elsewhere} onReload={() => issue.reset()} />}
      <Form<IssueFormValues> form={form} name="issue" layout="vertical" initialValues={initial} onFinish={(v) => issue.mutate(v)}>
        <Form.Item name="valueType" label={t('issue.valueType')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'amount', label: t('issue.amount'), disabled: !currency },
              { value: 'percent', label: t('issue.percent') },
            ]}
          />
        </Form.Item>
        {valueType === 'amount' ? (
          <Form.Item
            name="amountOff"
            label={t('issue.amountLabel', { currency: currency ?? '' })}
            rules={[{ required: true, type: 'number', min: 0.01, max: 1_000_000, message: t('issue.amountBad') }]}
          >
            <InputNumber min={0.01} precision={2} style={{ width: '100%' }} inputMode="decimal" />
          </Form.Item>
        ) : (
          <Form.Item name="percentOff" label={t('issue.percentLabel')} rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('issue.percentBad') }]}>
            <InputNumber min={1} max={100} precision={0} suffix="%" style={{ width: '100%' }} inputMode="numeric" />
          </Form.Item>
        )}
        <Form.Item
          name="locationIds"
          label={t('issue.locations')}
          extra={t('issue.locationsHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('issue.locationsBad') }]}
        >
          <Select
            mode="multiple"
            aria-label={t('issue.locations')}
            options={locations.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> }))}
          />
        </Form.Item>
        <Form.Item name="validDays" label={t('issue.validDays')} rules={[{ required: true, type: 'integer', min: 1, max: 3660, message: t('issue.validDaysBad') }]}>
          <InputNumber min={1} max={3660} precision={0} style={{ width: '100%' }} inputMode="numeric" />
        </Form.Item>
        <Form.Item name="reason" label={t('issue.reason')} rules={[{ required: true, whitespace: true, message: t('issue.reasonBad') }]}>
          <Input.TextArea maxLength={500} autoSize={{ minRows: 2 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
