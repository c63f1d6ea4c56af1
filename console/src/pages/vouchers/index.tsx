import { Route, Routes, useLocation, useNavigate } from 'react-router';
import { Tabs } from 'antd';
import { useAuth } from '../../auth/AuthProvider';
import { can } from '../../auth/access';
import { Page } from '../../components/Page';
import { Forbidden, RoleGate } from '../../components/RoleGate';
import rewards from '../../i18n/rewards';
import { useT } from '../../i18n';
import { VoucherDesk } from './VoucherDesk';
import { VoucherReport } from './VoucherReport';

/** The vouchers area: checking and redeeming a code (staff), and the report (managers). */
export default function VouchersArea() {
  const t = useT(rewards);
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const { principal } = useAuth();
  const tabs = [
    { key: '/vouchers', label: t('tab.check') },
    ...(can(principal, 'voucher.report') ? [{ key: '/vouchers/report', label: t('tab.report') }] : []),
  ];
  return (
    <Page title={t('vouchers.title')}>
      {tabs.length > 1 && (
        <nav aria-label={t('tabs.label')}>
          <Tabs activeKey={pathname.startsWith('/vouchers/report') ? '/vouchers/report' : '/vouchers'} onChange={(k) => navigate(k)} items={tabs} style={{ marginBottom: 8 }} />
        </nav>
      )}
      <Routes>
        <Route index element={<VoucherDesk />} />
        <Route
          path="report"
          element={
            <RoleGate action="voucher.report" fallback={<Forbidden />}>
              <VoucherReport />
            </RoleGate>
          }
        />
      </Routes>
    </Page>
  );
}
