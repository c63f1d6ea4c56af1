import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Flex, Form, Input, Row, Statistic, Tag, Typography } from 'antd';
import { UserSwitchOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { apiErrorFrom } from '../../api/error';
import type { components } from '../../api/schema';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import { RoleGate } from '../../components/RoleGate';
import counter from '../../i18n/counter';
import { useLocale, useT } from '../../i18n';
import { formatMoney, formatNumber } from '../../lib/format';
import { useCustomer, useLoyaltyRules } from '../customers/CustomerPage';
import { CustomerSearch } from '../customers/CustomerSearch';
import { CustomerName, Data, fill, WRAP_TITLE } from '../customers/parts';
import { balanceKey, ledgerKey, TierProgress, useBalance, useRefreshBalance } from '../customers/LoyaltyCard';
import { currencyOf, type Customer } from '../customers/model';
import { RewardsCard } from './RewardsCard';
import { adjustBody, earnBody, notEnoughPoints, parseAmount, parsePoints, redeemBody } from './model';

type Entry = components['schemas']['LoyaltyEntry'];

/**
 * Loyalty at the front desk (a tablet): find the member by phone, see tier and points,
 * earn for a bill, redeem, (managers) adjust with a reason, and take a reward from the
 * catalogue for points. The member chosen is
 * kept in the address (?customerId=), so a reload keeps them.
 */
export default function CounterArea() {
  const t = useT(counter);
  const [params, setParams] = useSearchParams();
  const customerId = params.get('customerId') ?? undefined;
  return (
    <Page title={t('title')}>
      {customerId ? (
        <Member customerId={customerId} onChange={() => setParams({}, { replace: false })} />
      ) : (
        <Card>
          <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
          <CustomerSearch label={t('find.label')} autoFocus autoPick onPick={(c: Customer) => setParams({ customerId: c.customerId })} />
        </Card>
      )}
    </Page>
  );
}

type Outcome = { kind: 'earn' | 'redeem' | 'adjust' | 'again'; points: number; amount?: string; balance?: number };

function Member({ customerId, onChange }: { customerId: string; onChange: () => void }) {
  const t = useT(counter);
  const locale = useLocale();
  const api = useApi();
  const qc = useQueryClient();
  const { locationId, location } = useLocationScope();
  const customer = useCustomer(customerId);
  const rules = useLoyaltyRules();
  const balance = useBalance(customerId);
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [earnForm] = Form.useForm<{ bill: string; amount: string }>();
  const [redeemForm] = Form.useForm<{ points: string }>();
  const [adjustForm] = Form.useForm<{ points: string; reason: string }>();

  const refreshBalance = useRefreshBalance();
  const after = async (o: Outcome) => {
    const fresh = await refreshBalance(customerId).catch(() => undefined);
    void qc.invalidateQueries({ queryKey: ledgerKey(customerId) });
    void qc.invalidateQueries({ queryKey: ['/v1/customers/{customerId}/timeline', customerId] });
    // What the member may take depends on the points.
    void qc.invalidateQueries({ queryKey: ['/v1/rewards'] });
    setOutcome({ ...o, balance: fresh?.balance });
  };

  const earn = useMutation({
    mutationFn: async (v: { bill: string; amount: number; currency: string }) => {
      const { data, error, response } = await api.POST('/v1/loyalty/{customerId}/earn', {
        params: { path: { customerId } },
        body: earnBody(v.bill, v.amount, v.currency, locationId),
      });
      if (!response.ok) throw apiErrorFrom(response, error);
      return { entry: data as Entry, replayed: response.headers.get('Idempotent-Replayed') === 'true', label: formatMoney(v.amount, v.currency, locale) };
    },
    onSuccess: async (r) => {
      earnForm.resetFields();
      await after({ kind: r.replayed ? 'again' : 'earn', points: r.entry.points, amount: r.label });
    },
  });
  const redeem = useMutation({
    mutationFn: (points: number) => call(api.POST('/v1/loyalty/{customerId}/redeem', { params: { path: { customerId } }, body: redeemBody(points, locationId) })),
    onSuccess: async (e) => {
      redeemForm.resetFields();
      await after({ kind: 'redeem', points: -e.points });
    },
    onError: () => void qc.invalidateQueries({ queryKey: balanceKey(customerId) }),
  });
  const adjust = useMutation({
    mutationFn: (v: { points: number; reason: string }) =>
      call(api.POST('/v1/loyalty/{customerId}/adjust', { params: { path: { customerId } }, body: adjustBody(v.points, v.reason) })),
    onSuccess: async (e) => {
      adjustForm.resetFields();
      await after({ kind: 'adjust', points: e.points });
    },
  });

  if (customer.isError) {
    return (
      <Flex vertical gap={12}>
        <ErrorView error={customer.error} onRetry={() => void customer.refetch()} />
        <Button icon={<UserSwitchOutlined />} onClick={onChange} style={{ alignSelf: 'center' }}>
          {t('change')}
        </Button>
      </Flex>
    );
  }

  const c = customer.data;
  const b = balance.data;
  // A bill is in the location's currency; the API turns it into points by the
  // programme's rules (another currency is refused, naming the field).
  const currency = currencyOf(location, rules.data);
  const short = notEnoughPoints(redeem.error, b?.balance);
  const adjustShort = notEnoughPoints(adjust.error, b?.balance);
  const startOver = () => {
    setOutcome(undefined);
    earn.reset();
    redeem.reset();
    adjust.reset();
  };

  return (
    <Flex vertical gap={16}>
      <Card
        styles={WRAP_TITLE}
        title={
          <h2 style={{ fontSize: 18, margin: 0 }}>
            {t('member')}: {c ? <CustomerName c={c} /> : '…'}
          </h2>
        }
        extra={
          <Button icon={<UserSwitchOutlined />} onClick={onChange}>
            {t('change')}
          </Button>
        }
      >
        <Row gutter={[16, 16]} align="middle">
          <Col xs={12} md={6}>
            <Statistic
              title={t('balance')}
              value={b?.balance ?? 0}
              loading={!b}
              formatter={(v) => <Data>{formatNumber(Number(v), locale)}</Data>}
            />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('pending')} value={b?.pending ?? 0} loading={!b} formatter={(v) => <Data>{formatNumber(Number(v), locale)}</Data>} />
          </Col>
          <Col xs={24} md={12}>
            <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 4 }}>
              {t('tier')}
            </Typography.Text>
            {b && (
              <Flex vertical gap={4}>
                <Tag color="gold" style={{ fontSize: 16, padding: '2px 8px', alignSelf: 'start' }}>
                  <Data>{b.tier}</Data>
                </Tag>
                <TierProgress tier={b.tier} earned12m={b.earned12m ?? 0} next={b.nextTier} rules={rules.data} />
              </Flex>
            )}
          </Col>
        </Row>
        {c?.phone && (
          <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0' }}>
            <Data>{c.phone}</Data>
            {' · '}
            <Link to={`/customers/${encodeURIComponent(customerId)}`}>{t('profile')}</Link>
          </Typography.Paragraph>
        )}
        {balance.isError && <ErrorView error={balance.error} onRetry={() => void balance.refetch()} />}
      </Card>

      {outcome && (
        <Alert
          type={outcome.kind === 'again' ? 'info' : 'success'}
          showIcon
          closable
          onClose={() => setOutcome(undefined)}
          title={
            outcome.kind === 'earn'
              ? t('earn.done', { points: formatNumber(outcome.points, locale), amount: outcome.amount ?? '' })
              : outcome.kind === 'again'
                ? t('earn.again', { points: formatNumber(outcome.points, locale) })
                : outcome.kind === 'redeem'
                  ? t('redeem.done', { points: formatNumber(outcome.points, locale) })
                  : t('adjust.done', { points: (outcome.points > 0 ? '+' : '') + formatNumber(outcome.points, locale) })
          }
          description={outcome.balance !== undefined ? t('result.balance', { balance: formatNumber(outcome.balance, locale) }) : undefined}
        />
      )}

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('earn.title')}</h2>}>
            {rules.isError && <Alert type="warning" showIcon title={t('rules.failed')} style={{ marginBottom: 12 }} />}
            <Form
              form={earnForm}
              name="earn"
              layout="vertical"
              onFinish={(v) => {
                startOver();
                const amount = parseAmount(v.amount ?? '');
                if (amount === undefined || !currency) return;
                earn.mutate({ bill: v.bill ?? '', amount, currency });
              }}
            >
              <Form.Item name="bill" label={t('earn.bill')} extra={t('earn.billHint')}>
                <Input autoComplete="off" size="large" />
              </Form.Item>
              <Form.Item
                name="amount"
                label={t('earn.amount', { currency: currency ?? '…' })}
                rules={[{ validator: (_, v: string) => (parseAmount(v ?? '') !== undefined ? Promise.resolve() : Promise.reject(new Error(t('earn.amountBad')))) }]}
              >
                <Input inputMode="decimal" autoComplete="off" size="large" />
              </Form.Item>
              <Button type="primary" htmlType="submit" size="large" block loading={earn.isPending} disabled={!currency}>
                {t('earn.submit')}
              </Button>
            </Form>
            {earn.isError && <ErrorView error={earn.error} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('redeem.title')}</h2>}>
            <Form
              form={redeemForm}
              name="redeem"
              layout="vertical"
              onFinish={(v) => {
                startOver();
                const points = parsePoints(v.points ?? '');
                if (points !== undefined) redeem.mutate(points);
              }}
            >
              <Form.Item
                name="points"
                label={t('redeem.points')}
                rules={[{ validator: (_, v: string) => (parsePoints(v ?? '') !== undefined ? Promise.resolve() : Promise.reject(new Error(t('redeem.pointsBad')))) }]}
              >
                <Input inputMode="numeric" autoComplete="off" size="large" />
              </Form.Item>
              <Button type="primary" htmlType="submit" size="large" block loading={redeem.isPending}>
                {t('redeem.submit')}
              </Button>
            </Form>
            {short !== undefined ? (
              <Alert
                type="error"
                showIcon
                style={{ marginTop: 12 }}
                title={fill(t('redeem.notEnough'), { balance: <Data>{formatNumber(short, locale)}</Data> })}
              />
            ) : (
              redeem.isError && <ErrorView error={redeem.error} />
            )}
          </Card>
        </Col>
        <RoleGate action="loyalty.adjust">
          <Col xs={24} lg={12}>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('adjust.title')}</h2>}>
              <Form
                form={adjustForm}
                name="adjust"
                layout="vertical"
                onFinish={(v) => {
                  startOver();
                  const points = parsePoints(v.points ?? '', true);
                  if (points !== undefined) adjust.mutate({ points, reason: v.reason ?? '' });
                }}
              >
                <Form.Item
                  name="points"
                  label={t('adjust.points')}
                  rules={[
                    { validator: (_, v: string) => (parsePoints(v ?? '', true) !== undefined ? Promise.resolve() : Promise.reject(new Error(t('adjust.pointsBad')))) },
                  ]}
                >
                  <Input inputMode="numeric" autoComplete="off" size="large" />
                </Form.Item>
                <Form.Item name="reason" label={t('adjust.reason')} rules={[{ required: true, whitespace: true, message: t('adjust.reasonBad') }]}>
                  <Input maxLength={200} autoComplete="off" size="large" />
                </Form.Item>
                <Button htmlType="submit" size="large" block loading={adjust.isPending}>
                  {t('adjust.submit')}
                </Button>
              </Form>
              {adjustShort !== undefined ? (
                <Alert
                  type="error"
                  showIcon
                  style={{ marginTop: 12 }}
                  title={fill(t('redeem.notEnough'), { balance: <Data>{formatNumber(adjustShort, locale)}</Data> })}
                />
              ) : (
                adjust.isError && <ErrorView error={adjust.error} />
              )}
            </Card>
          </Col>
        </RoleGate>
      </Row>
      {/* A take's voucher is said in the card; an earlier earn's or redeem's message, with its balance, no longer holds. */}
      <RewardsCard customerId={customerId} onTaken={() => setOutcome(undefined)} />
    </Flex>
  );
}
