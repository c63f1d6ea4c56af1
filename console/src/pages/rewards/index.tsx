import { Route, Routes } from 'react-router';
import { Page } from '../../components/Page';
import rewards from '../../i18n/rewards';
import { useT } from '../../i18n';
import { RewardCreate, RewardEdit } from './RewardForm';
import { RewardList } from './RewardList';

/** The rewards catalogue (administrators): the list, a new reward, a reward's edit page. */
export default function RewardsArea() {
  const t = useT(rewards);
  return (
    <Page title={t('area.title')}>
      <Routes>
        <Route index element={<RewardList />} />
        <Route path="new" element={<RewardCreate />} />
        <Route path=":rewardId" element={<RewardEdit />} />
      </Routes>
    </Page>
  );
}
