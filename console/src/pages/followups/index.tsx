import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Button, Card, Flex, Segmented, Typography } from 'antd';
import { UserSwitchOutlined } from '@ant-design/icons';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Page } from '../../components/Page';
import followups from '../../i18n/followups';
import { useT } from '../../i18n';
import { useCustomer } from '../customers/CustomerPage';
import { CustomerSearch } from '../customers/CustomerSearch';
import { CustomerName, Data, WRAP_TITLE, fill } from '../customers/parts';
import type { Customer } from '../customers/model';
import { FollowupsPanel } from './FollowupsPanel';
import { LocationList } from './LocationList';
import { readFilters, writeFilters, type Filters } from './model';

/**
 * Follow-ups in two views, both kept in the address. By location (the default): the
 * follow-ups of the location the header's switcher picked (?locationId= from a link
 * such as Today's picks it), or of all the person's locations merged by due time, with
 * filters (?status=, ?kind=, ?from=, ?to=). By customer (?view=customer, then
 * ?customerId=): find the customer, see their follow-ups, schedule a message or cancel
 * one; the customer's page links here too.
 */
export default function FollowupsArea() {
  const t = useT(followups);
  const [params, setParams] = useSearchParams();
  const customerId = params.get('customerId') ?? undefined;
  const byCustomer = customerId !== undefined || params.get('view') === 'customer';
  return (
    <Page title={t('title')}>
      <Flex vertical gap={16}>
        <Segmented
          aria-label={t('mode.label')}
          value={byCustomer ? 'customer' : 'location'}
          options={[
            { value: 'location', label: t('mode.location') },
            { value: 'customer', label: t('mode.customer') },
          ]}
          onChange={(v) => setParams(v === 'customer' ? { view: 'customer' } : {})}
          style={{ alignSelf: 'flex-start' }}
        />
        {!byCustomer ? (
          <ByLocation />
        ) : customerId ? (
          <Chosen customerId={customerId} onChange={() => setParams({ view: 'customer' })} />
        ) : (
          <Card>
            <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
            <CustomerSearch autoFocus onPick={(c: Customer) => setParams({ customerId: c.customerId })} />
          </Card>
        )}
      </Flex>
    </Page>
  );
}

/**
 * The location view. The address's ?locationId= wins on arrival and moves the header's
 * switcher to it (when it is one of the person's); a later change in the header drops
 * it from the address, so the list follows the header.
 */
function ByLocation() {
  const t = useT(followups);
  const [params, setParams] = useSearchParams();
  const scope = useLocationScope();
  const asked = params.get('locationId') ?? undefined;
  const mine = (id: string | undefined) => id !== undefined && scope.locations.some((l) => l.locationId === id);

  useEffect(() => {
    if (!scope.loading && asked && asked !== scope.locationId && mine(asked)) scope.select(asked);
    // Only on arrival with a location in the address, once the locations are known.
  }, [asked, scope.loading]);
  const seen = useRef<{ id: string | undefined } | undefined>(undefined);
  useEffect(() => {
    if (scope.loading) return;
    const before = seen.current;
    seen.current = { id: scope.locationId };
    if (!before || before.id === scope.locationId) return;
    if (asked !== undefined && asked !== scope.locationId) {
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          next.delete('locationId');
          return next;
        },
        { replace: true },
      );
    }
  }, [scope.loading, scope.locationId]);

  const filters = readFilters(params);
  // Each change is merged into the address as the last change left it (setParams's
  // own updater sees the address of the last render): two changes in a row both hold.
  const latest = useRef({ seen: params, value: params });
  if (latest.current.seen !== params) latest.current = { seen: params, value: params };
  const onFilters = (change: Partial<Filters>) => {
    const next = writeFilters(latest.current.value, { ...readFilters(latest.current.value), ...change });
    latest.current.value = next;
    setParams(next, { replace: true });
  };

  if (scope.loading) {
    return (
      <Typography.Paragraph type="secondary" role="status">
        {t('loc.loading')}
      </Typography.Paragraph>
    );
  }
  if (scope.error && !asked) return <ErrorView error={scope.error} />;
  const ids = asked ? [asked] : scope.locationId ? [scope.locationId] : scope.locations.map((l) => l.locationId);
  if (ids.length === 0) return <Typography.Paragraph type="secondary">{t('loc.none')}</Typography.Paragraph>;
  const one = ids.length === 1 ? scope.locations.find((l) => l.locationId === ids[0]) : undefined;
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {fill(t('loc.intro'), { where: ids.length > 1 ? t('loc.all') : <Data>{one?.name ?? ids[0]}</Data> })}
      </Typography.Paragraph>
      <LocationList key={ids.join(',')} locationIds={ids} filters={filters} onFilters={onFilters} />
    </>
  );
}

function Chosen({ customerId, onChange }: { customerId: string; onChange: () => void }) {
  const t = useT(followups);
  const q = useCustomer(customerId);
  const change = (
    <Button icon={<UserSwitchOutlined />} onClick={onChange}>
      {t('pick.change')}
    </Button>
  );
  if (q.isError) {
    return (
      <Flex vertical gap={12} align="center">
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
        {change}
      </Flex>
    );
  }
  const c = q.data;
  return (
    <Flex vertical gap={16}>
      <Card
        size="small"
        styles={WRAP_TITLE}
        title={
          <h2 style={{ fontSize: 16, margin: 0 }}>
            {t('pick.title')}:{' '}
            {c ? (
              <Link to={`/customers/${encodeURIComponent(customerId)}`}>
                <CustomerName c={c} />
              </Link>
            ) : (
              '…'
            )}
          </h2>
        }
        extra={change}
      >
        {c && (
          <Typography.Text type="secondary">
            <Data>{[c.phone, c.email].filter(Boolean).join(' · ') || c.customerId}</Data>
          </Typography.Text>
        )}
      </Card>
      {c && <FollowupsPanel customer={c} />}
    </Flex>
  );
}
