import { Empty } from 'antd';
import { Page } from '../../components/Page';
import shell from '../../i18n/shell';
import { useT } from '../../i18n';

// Temporary: the today area's helper replaces this file with the real pages.
export default function TodayArea() {
  const t = useT(shell);
  return (
    <Page title={t('menu.today')}>
      <Empty description={t('page.building')} />
    </Page>
  );
}
