import { Route, Routes, useLocation, useNavigate } from 'react-router';
import { Tabs } from 'antd';
import { Page } from '../../components/Page';
import settings from '../../i18n/settings';
import { useT } from '../../i18n';
import { ComplaintSettingsPage, LoyaltySettingsPage, ValueSettingsPage } from './DocumentSettings';
import { LocationCreate, LocationEdit } from './LocationForm';
import { Locations } from './Locations';

const SECTIONS = [
  { key: 'locations', path: '/settings' },
  { key: 'complaints', path: '/settings/complaints' },
  { key: 'loyalty', path: '/settings/loyalty' },
  { key: 'value', path: '/settings/value' },
] as const;

/** The section a settings path belongs to (locations owns /settings and /settings/locations/…). */
function sectionOf(pathname: string): (typeof SECTIONS)[number]['key'] {
  const s = SECTIONS.find((x) => x.key !== 'locations' && (pathname === x.path || pathname.startsWith(x.path + '/')));
  return s?.key ?? 'locations';
}

/** The settings area (administrators): one section per kind of setting. */
export default function SettingsArea() {
  const t = useT(settings);
  const { pathname } = useLocation();
  const navigate = useNavigate();
  return (
    <Page title={t('title')}>
      <nav aria-label={t('sections')}>
        <Tabs
          activeKey={sectionOf(pathname)}
          onChange={(key) => navigate(SECTIONS.find((s) => s.key === key)!.path)}
          items={SECTIONS.map((s) => ({ key: s.key, label: t(`section.${s.key}`) }))}
          style={{ marginBottom: 8 }}
        />
      </nav>
      <Routes>
        <Route index element={<Locations />} />
        <Route path="locations/new" element={<LocationCreate />} />
        <Route path="locations/:locationId" element={<LocationEdit />} />
        <Route path="complaints" element={<ComplaintSettingsPage />} />
        <Route path="loyalty" element={<LoyaltySettingsPage />} />
        <Route path="value" element={<ValueSettingsPage />} />
      </Routes>
    </Page>
  );
}
