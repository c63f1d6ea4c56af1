import { Route, Routes, useSearchParams } from 'react-router';
import { Page } from '../../components/Page';
import customers from '../../i18n/customers';
import { useT } from '../../i18n';
import { CustomerPage } from './CustomerPage';
import { CustomerSearch } from './CustomerSearch';

/** The customers area: the search at /customers, a customer's page at /customers/{id}. */
export default function CustomersArea() {
  return (
    <Routes>
      <Route index element={<SearchPage />} />
      <Route path=":customerId" element={<CustomerPage />} />
    </Routes>
  );
}

/** The search, its query kept in the address so that Back comes back to the results. */
function SearchPage() {
  const t = useT(customers);
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? undefined;
  return (
    <Page title={t('title')}>
      <CustomerSearch autoFocus initialQuery={q} onSearch={(value) => setParams(value ? { q: value } : {}, { replace: true })} />
    </Page>
  );
}
