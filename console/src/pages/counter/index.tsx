import { Empty } from 'antd';
import { Page } from '../../components/Page';
import shell from '../../i18n/shell';
import { useT } from '../../i18n';

// Temporary: the counter area's helper replaces this file with the real pages.
export default function CounterArea() {
  const t = useT(shell);
  return (
    <Page title={t('menu.counter')}>
      <Empty description={t('page.building')} />
    </Page>
  );
}
