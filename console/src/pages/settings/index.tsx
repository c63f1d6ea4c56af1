import { Route, Routes } from 'react-router';
import { Page } from '../../components/Page';
import settings from '../../i18n/settings';
import { useT } from '../../i18n';
import { Locations } from './Locations';

/** The settings area (administrators): one section per kind of setting. */
export default function SettingsArea() {
  const t = useT(settings);
  return (
    <Page title={t('title')}>
      <Routes>
        <Route index element={<Locations />} />
      </Routes>
    </Page>
  );
}
