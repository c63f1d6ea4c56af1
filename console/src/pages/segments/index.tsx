import { Route, Routes, useNavigate } from 'react-router';
import { Button, Flex } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Page } from '../../components/Page';
import { RoleGate } from '../../components/RoleGate';
import segments from '../../i18n/segments';
import { useT } from '../../i18n';
import { SegmentBuilder } from './SegmentBuilder';
import { SegmentDetail } from './SegmentDetail';
import { SegmentList } from './SegmentList';
import { WinBackCard } from './WinBack';

function Overview() {
  return (
    <Flex vertical gap={16}>
      <SegmentList />
      <RoleGate action="value.winBack">
        <WinBackCard />
      </RoleGate>
    </Flex>
  );
}

/** Segments and campaigns (managers and administrators): the list, the builder, a segment with its campaign. */
export default function SegmentsArea() {
  const t = useT(segments);
  const navigate = useNavigate();
  return (
    <Page
      title={t('title')}
      extra={
        <RoleGate action="segment.create">
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/segments/new')}>
            {t('new')}
          </Button>
        </RoleGate>
      }
    >
      <Routes>
        <Route index element={<Overview />} />
        <Route path="new" element={<SegmentBuilder />} />
        <Route path=":segmentId" element={<SegmentDetail />} />
      </Routes>
    </Page>
  );
}
