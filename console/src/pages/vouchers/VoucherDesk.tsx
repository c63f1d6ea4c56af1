import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Input, Modal, Popconfirm, Space, Typography } from 'antd';
import { RollbackOutlined, StopOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { apiErrorFrom } from '../../api/error';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { RoleGate } from '../../components/RoleGate';
import rewards from '../../i18n/rewards';
import { useT } from '../../i18n';
import { Data, fill } from '../customers/parts';
import { billOf, codeFrom, looksLikeCode, redeemBody, voucherRefusal, type Voucher } from './model';
import { RefusalText, VoucherDetails } from './parts';
import { ScanButton } from './Scanner';

export const voucherKey = (code: string) => ['/v1/vouchers/{code}', code] as const;

type Outcome = { kind: 'redeem' | 'again'; bill: string } | { kind: 'reverse' | 'cancel' };

/**
 * The till's voucher desk: type, paste or scan a code, see the voucher and its status,
 * redeem it for a bill at the location picked in the header; managers reverse a
 * redemption (the bill refunded) or cancel an unused voucher with a reason. The code
 * checked is kept in the address (?code=), so a reload keeps it.
 */
export function VoucherDesk() {
  const t = useT(rewards);
  const [params, setParams] = useSearchParams();
  const code = params.get('code') ?? '';
  const [form] = Form.useForm<{ code: string }>();
  const check = (text: string) => {
    form.setFieldValue('code', text);
    setParams({ code: codeFrom(text) });
  };
  return (
    <Flex vertical gap={16}>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('check.title')}</h2>}>
        <Form form={form} name="check" layout="vertical" initialValues={{ code }} onFinish={(v) => check(v.code ?? '')}>
          <Form.Item
            name="code"
            label={t('check.code')}
            extra={fill(t('check.codeHint'), { example: <Data>K7QM-2XDR-9HFA-6TWP</Data> })}
            rules={[{ validator: (_, v: string) => (looksLikeCode(v ?? '') ? Promise.resolve() : Promise.reject(new Error(t('check.codeBad')))) }]}
          >
            <Input autoComplete="off" size="large" translate="no" autoFocus style={{ textTransform: 'uppercase', maxWidth: 360 }} />
          </Form.Item>
          <Space wrap>
            <Button type="primary" htmlType="submit" size="large">
              {t('check.submit')}
            </Button>
            <ScanButton onCode={check} />
          </Space>
        </Form>
      </Card>
      {code && <Checked key={code} code={code} />}
    </Flex>
  );
}

function Checked({ code }: { code: string }) {
  const t = useT(rewards);
  const api = useApi();
  const qc = useQueryClient();
  const { locationId, location } = useLocationScope();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [billForm] = Form.useForm<{ bill: string }>();
  const [cancelling, setCancelling] = useState(false);
  const [cancelForm] = Form.useForm<{ reason: string }>();
  const key = voucherKey(code);
  const q = useQuery({ queryKey: key, queryFn: () => call(api.GET('/v1/vouchers/{code}', { params: { path: { code } } })) });

  const saw = (v: Voucher) => {
    qc.setQueryData(key, v);
    void qc.invalidateQueries({ queryKey: ['/v1/customers/{customerId}/vouchers', v.customerId] });
  };
  const refetchOnRefusal = (e: unknown) => {
    if (voucherRefusal(e)) void q.refetch();
  };
  const redeem = useMutation({
    mutationFn: async (bill: string) => {
      const { data, error, response } = await api.POST('/v1/vouchers/{code}/redeem', {
        params: { path: { code } },
        body: redeemBody(bill, locationId ?? ''),
      });
      if (!response.ok) throw apiErrorFrom(response, error);
      return { v: data as Voucher, replayed: response.headers.get('Idempotent-Replayed') === 'true' };
    },
    onSuccess: ({ v, replayed }) => {
      saw(v);
      billForm.resetFields();
      setOutcome({ kind: replayed ? 'again' : 'redeem', bill: billOf(v.redemption?.sourceId) });
    },
    onError: refetchOnRefusal,
  });
  const reverse = useMutation({
    mutationFn: (sourceId: string) => call(api.POST('/v1/vouchers/{code}/reverse', { params: { path: { code } }, body: { sourceId } })),
    onSuccess: (v) => {
      saw(v);
      setOutcome({ kind: 'reverse' });
    },
    onError: refetchOnRefusal,
  });
  const cancel = useMutation({
    mutationFn: (reason: string) => call(api.POST('/v1/vouchers/{code}/cancel', { params: { path: { code } }, body: { reason: reason.trim() } })),
    onSuccess: (v) => {
      saw(v);
      setCancelling(false);
      cancelForm.resetFields();
      setOutcome({ kind: 'cancel' });
    },
    onError: refetchOnRefusal,
  });
  const startOver = () => {
    setOutcome(undefined);
    redeem.reset();
    reverse.reset();
    cancel.reset();
  };

  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Card loading aria-busy />;
  const v = q.data;
  const failed = [redeem, reverse, cancel].find((m) => m.isError)?.error;
  const refusal = voucherRefusal(failed);

  return (
    <Flex vertical gap={16}>
      {outcome && (
        <Alert
          type={outcome.kind === 'again' ? 'info' : 'success'}
          showIcon
          closable
          onClose={() => setOutcome(undefined)}
          title={
            outcome.kind === 'redeem'
              ? fill(t('redeem.done'), { bill: <Data>{outcome.bill}</Data> })
              : outcome.kind === 'again'
                ? t('redeem.again')
                : outcome.kind === 'reverse'
                  ? t('reverse.done')
                  : t('cancel.done')
          }
        />
      )}
      {refusal ? (
        <Alert type="error" showIcon title={t('refused.title')} description={<RefusalText r={refusal} />} />
      ) : (
        failed !== undefined && <ErrorView error={failed} />
      )}
      <Card
        title={
          <h2 style={{ fontSize: 16, margin: 0 }}>
            {fill(t('check.voucher'), { code: <Data>{v.printedCode}</Data> })}
          </h2>
        }
      >
        <VoucherDetails v={v} />
        <Space wrap style={{ marginTop: 12 }}>
          {v.status === 'redeemed' && v.redemption?.sourceId && (
            <RoleGate action="voucher.reverse">
              <Popconfirm
                title={fill(t('reverse.confirm'), { bill: <Data>{billOf(v.redemption.sourceId)}</Data> })}
                okText={t('reverse.ok')}
                cancelText={t('reverse.keep')}
                onConfirm={() => {
                  startOver();
                  reverse.mutate(v.redemption!.sourceId!);
                }}
              >
                <Button icon={<RollbackOutlined />} loading={reverse.isPending}>
                  {t('reverse.button')}
                </Button>
              </Popconfirm>
            </RoleGate>
          )}
          {v.status === 'issued' && (
            <RoleGate action="voucher.cancel">
              <Button danger icon={<StopOutlined />} onClick={() => setCancelling(true)}>
                {t('cancel.button')}
              </Button>
            </RoleGate>
          )}
        </Space>
      </Card>

      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('redeem.title')}</h2>}>
        {locationId ? (
          <Form
            form={billForm}
            name="redeem"
            layout="vertical"
            onFinish={(f) => {
              startOver();
              redeem.mutate((f.bill ?? '').trim());
            }}
          >
            <Typography.Paragraph type="secondary">{fill(t('redeem.at'), { location: <Data>{location?.name ?? locationId}</Data> })}</Typography.Paragraph>
            <Form.Item name="bill" label={t('redeem.bill')} extra={t('redeem.billHint')} rules={[{ required: true, whitespace: true, message: t('redeem.billBad') }]}>
              <Input autoComplete="off" size="large" style={{ maxWidth: 360 }} />
            </Form.Item>
            <Button type="primary" htmlType="submit" size="large" loading={redeem.isPending}>
              {t('redeem.submit')}
            </Button>
          </Form>
        ) : (
          <Alert type="info" showIcon title={t('redeem.pickLocation')} />
        )}
      </Card>

      <Modal
        open={cancelling}
        title={t('cancel.title')}
        okText={t('cancel.submit')}
        cancelText={t('cancel.keep')}
        okButtonProps={{ danger: true, loading: cancel.isPending }}
        onOk={() => cancelForm.submit()}
        onCancel={() => setCancelling(false)}
        destroyOnHidden
      >
        <Form
          form={cancelForm}
          name="cancel"
          layout="vertical"
          onFinish={(f) => {
            startOver();
            cancel.mutate(f.reason ?? '');
          }}
        >
          <Form.Item name="reason" label={t('cancel.reason')} rules={[{ required: true, whitespace: true, message: t('cancel.reasonBad') }]}>
            <Input.TextArea maxLength={500} autoSize={{ minRows: 2 }} />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
