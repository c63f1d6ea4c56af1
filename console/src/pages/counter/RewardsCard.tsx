import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, Flex, Tag, Typography } from 'antd';
import { call, useApi } from '../../api/client';
import { apiErrorFrom } from '../../api/error';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import rewards from '../../i18n/rewards';
import { useLocale, useT } from '../../i18n';
import { formatNumber } from '../../lib/format';
import { ledgerKey, useRefreshBalance } from '../customers/LoyaltyCard';
import { Data, fill } from '../customers/parts';
import { nameIn, type Offer } from '../rewards/model';
import { takeRefusal, takeSourceId, whyOf, type Voucher } from '../vouchers/model';
import { useValueText, VoucherDetails, WhyText } from '../vouchers/parts';

/** The catalogue as offered to one member at a location (what they may take, and why not). */
export const offersKey = (customerId: string, locationId: string | undefined) => ['/v1/rewards', { customerId, locationId }] as const;

/**
 * Rewards at the counter: the catalogue for this member here and now, each offered or
 * not with the reason in words; taking one spends the points and shows the voucher's
 * printed code, value and expiry. Each press of Take is a new take with a sourceId of
 * its own (sent as its Idempotency-Key too): the API answers that request repeated with
 * the same voucher, never a second one.
 */
export function RewardsCard({ customerId, onTaken }: { customerId: string; onTaken?: () => void }) {
  const t = useT(rewards);
  const locale = useLocale();
  const api = useApi();
  const qc = useQueryClient();
  const refreshBalance = useRefreshBalance();
  const value = useValueText();
  const { locationId, loading } = useLocationScope();
  const [taken, setTaken] = useState<{ v: Voucher; replayed: boolean } | undefined>();
  const query = { customerId, ...(locationId ? { locationId } : {}) };
  // Offers depend on the counter's location: asked once the location is known.
  const q = useQuery({
    queryKey: offersKey(customerId, locationId),
    queryFn: () => call(api.GET('/v1/rewards', { params: { query } })),
    enabled: !loading,
  });

  const take = useMutation({
    mutationFn: async ({ rewardId, sourceId }: { rewardId: string; sourceId: string }) => {
      const { data, error, response } = await api.POST('/v1/loyalty/{customerId}/rewards/{rewardId}', {
        params: { path: { customerId, rewardId } },
        body: { sourceId, ...(locationId ? { locationId } : {}) },
        headers: { 'Idempotency-Key': sourceId },
      });
      if (!response.ok) throw apiErrorFrom(response, error);
      return { v: data as Voucher, replayed: response.headers.get('Idempotent-Replayed') === 'true' };
    },
    onSuccess: (r) => {
      setTaken(r);
      onTaken?.();
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['/v1/rewards'] });
      void refreshBalance(customerId).catch(() => undefined);
      void qc.invalidateQueries({ queryKey: ledgerKey(customerId) });
      void qc.invalidateQueries({ queryKey: ['/v1/customers/{customerId}/vouchers', customerId] });
    },
  });
  const refusal = takeRefusal(take.error);

  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('take.title')}</h2>}>
      <Typography.Paragraph type="secondary">
        {t('take.intro')}
        {q.data?.balance !== undefined && <> {fill(t('take.balance'), { balance: <Data>{formatNumber(q.data.balance, locale)}</Data> })}</>}
      </Typography.Paragraph>
      {taken && (
        <Alert
          type={taken.replayed ? 'info' : 'success'}
          showIcon
          closable
          onClose={() => setTaken(undefined)}
          style={{ marginBottom: 12 }}
          title={taken.replayed ? t('take.again') : fill(t('take.done'), { name: <Data>{nameIn(taken.v.name, locale) || value(taken.v.kind, taken.v.value)}</Data> })}
          description={<VoucherDetails v={taken.v} />}
        />
      )}
      {refusal ? (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} title={t('take.refused')} description={<WhyText why={refusal} />} />
      ) : (
        take.isError && <ErrorView error={take.error} />
      )}
      {q.isError ? (
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data && q.data.rewards.length === 0 ? (
        <Empty description={t('take.empty')} />
      ) : (
        <Flex vertical gap={8} aria-busy={q.isPending}>
          {(q.data?.rewards ?? []).map((o: Offer) => (
            <Flex key={o.rewardId} wrap gap={12} align="center" justify="space-between" style={{ borderTop: '1px solid rgba(5,5,5,0.06)', paddingTop: 8 }}>
              <Flex vertical gap={2} style={{ flex: '1 1 220px' }}>
                <strong>
                  <Data>{nameIn(o.name, locale)}</Data>
                </strong>
                <span>
                  {value(o.kind, o.value)}
                  {' · '}
                  {t('take.cost', { points: formatNumber(o.pointsCost, locale) })}
                  {o.stock !== undefined && <> · {t('take.stock', { count: formatNumber(o.stock, locale) })}</>}
                </span>
              </Flex>
              {o.offered ? (
                <Button
                  type="primary"
                  size="large"
                  loading={take.isPending && take.variables?.rewardId === o.rewardId}
                  aria-label={t('take.one', { name: nameIn(o.name, locale) })}
                  onClick={() => {
                    setTaken(undefined);
                    take.mutate({ rewardId: o.rewardId, sourceId: takeSourceId() });
                  }}
                >
                  {t('take.button')}
                </Button>
              ) : (
                <Tag style={{ whiteSpace: 'normal' }}>
                  <WhyText why={whyOf(o.whyReason, o.whyFacts, o.why)} />
                </Tag>
              )}
            </Flex>
          ))}
        </Flex>
      )}
    </Card>
  );
}
