import { Empty } from 'antd';
import { Page } from '../../components/Page';
import shell from '../../i18n/shell';
import { useT } from '../../i18n';

// Temporary: the surveys area's helper replaces this file with the real pages.
export default function SurveysArea() {
  const t = useT(shell);
  return (
    <Page title={t('menu.surveys')}>
      <Empty description={t('page.building')} />
    </Page>
  );
}
