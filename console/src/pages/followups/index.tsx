import { Link, useSearchParams } from 'react-router';
import { Button, Card, Flex, Typography } from 'antd';
import { UserSwitchOutlined } from '@ant-design/icons';
import { ErrorView } from '../../components/ErrorView';
import { Page } from '../../components/Page';
import followups from '../../i18n/followups';
import { useT } from '../../i18n';
import { useCustomer } from '../customers/CustomerPage';
import { CustomerSearch } from '../customers/CustomerSearch';
import { CustomerName, Data, WRAP_TITLE } from '../customers/parts';
import type { Customer } from '../customers/model';
import { FollowupsPanel } from './FollowupsPanel';

/**
 * Follow-ups by customer (the API lists them per customer): find the customer, then
 * see their follow-ups, schedule a message or cancel one. The customer is kept in the
 * address (?customerId=), which the customer's page links to as well.
 */
export default function FollowupsArea() {
  const t = useT(followups);
  const [params, setParams] = useSearchParams();
  const customerId = params.get('customerId') ?? undefined;
  return (
    <Page title={t('title')}>
      {customerId ? (
        <Chosen customerId={customerId} onChange={() => setParams({})} />
      ) : (
        <Card>
          <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
          <CustomerSearch autoFocus onPick={(c: Customer) => setParams({ customerId: c.customerId })} />
        </Card>
      )}
    </Page>
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
