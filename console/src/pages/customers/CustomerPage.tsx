import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Col, Flex, Row, Spin } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { Page } from '../../components/Page';
import { RoleGate } from '../../components/RoleGate';
import customers from '../../i18n/customers';
import { useT } from '../../i18n';
import { FollowupsPanel } from '../followups/FollowupsPanel';
import { ConsentCard } from './ConsentCard';
import { DangerCard } from './DangerCard';
import { LoyaltyCard } from './LoyaltyCard';
import { ProfileCard, ValueCard } from './ProfileCard';
import { TimelineCard } from './TimelineCard';
import { VouchersCard } from './VouchersCard';
import { asRules, currencyOf, type Customer } from './model';
import { useLocationScope } from '../../components/LocationSwitcher';

export const customerKey = (id: string) => ['/v1/customers/{customerId}', id] as const;
export const RULES_KEY = ['/v1/settings/loyalty'] as const;

/** A customer's profile as the API serves it (with its value figures). */
export function useCustomer(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: customerKey(id),
    queryFn: async () => (await call(api.GET('/v1/customers/{customerId}', { params: { path: { customerId: id } } }))) as Customer,
  });
}

/** The loyalty programme's rules: its currency and tiers. */
export function useLoyaltyRules() {
  const api = useApi();
  return useQuery({ queryKey: RULES_KEY, queryFn: async () => asRules(await call(api.GET('/v1/settings/loyalty'))), staleTime: 5 * 60_000 });
}

/**
 * One customer: profile, consent, loyalty, value, vouchers, follow-ups and timeline,
 * and for managers merge, export and erasure.
 */
export function CustomerPage() {
  const t = useT(customers);
  const { customerId = '' } = useParams();
  const q = useCustomer(customerId);
  const rules = useLoyaltyRules();
  const { locations } = useLocationScope();
  const back = (
    <Link to="/customers">
      <ArrowLeftOutlined aria-hidden /> {t('back')}
    </Link>
  );

  if (q.isError) {
    return (
      <Page title={t('customer.title')} extra={back}>
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      </Page>
    );
  }
  if (!q.data) {
    return (
      <Page title={t('customer.title')} extra={back}>
        <div role="status" style={{ display: 'grid', placeItems: 'center', minHeight: 200 }}>
          <Spin description={t('customer.loading')} />
        </div>
      </Page>
    );
  }
  const c = q.data;
  const currency = currencyOf(
    locations.find((l) => l.locationId === c.locationId),
    rules.data,
  );
  return (
    <Page title={t('customer.title')} extra={back}>
      <Flex vertical gap={16}>
        {c.customerId !== customerId && <Alert type="info" showIcon title={t('customer.merged')} />}
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12}>
            <Flex vertical gap={16}>
              <ProfileCard customer={c} currency={currency} />
              <ConsentCard customerId={c.customerId} locationId={c.locationId} />
            </Flex>
          </Col>
          <Col xs={24} lg={12}>
            <Flex vertical gap={16}>
              <LoyaltyCard customer={c} rules={rules.data} />
              <ValueCard customer={c} currency={currency} />
              <VouchersCard customer={c} currency={currency} />
            </Flex>
          </Col>
        </Row>
        <FollowupsPanel customer={c} />
        <TimelineCard customer={c} />
        <RoleGate action="customer.erase">
          <DangerCard customer={c} />
        </RoleGate>
      </Flex>
    </Page>
  );
}
