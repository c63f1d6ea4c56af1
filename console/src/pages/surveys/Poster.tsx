import { Button, Flex, QRCode, Space, Spin, Typography } from 'antd';
import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Notice } from '../../components/Notice';
import { Page } from '../../components/Page';
import surveys from '../../i18n/surveys';
import { useT } from '../../i18n';
import { titleOf } from './model';
import { posterLink } from './poster';
import { useSurvey } from './SurveyView';
import './surveys.css';

/**
 * A public link's QR poster for a location's counter: the location's name, the survey's
 * title and the invitation to scan in both languages, the QR code and the address.
 * Printing leaves out the console's frame (surveys.css).
 */
export default function Poster() {
  const { surveyId = '' } = useParams();
  const [params] = useSearchParams();
  const t = useT(surveys);
  const navigate = useNavigate();
  const { locations } = useLocationScope();
  const q = useSurvey(surveyId);
  const link = posterLink(params);
  const back = `/surveys/${encodeURIComponent(surveyId)}`;

  const actions = (
    <Space wrap className="survey-poster-actions">
      <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(back)}>
        {t('poster.back')}
      </Button>
      <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} disabled={!link || !q.data}>
        {t('poster.print')}
      </Button>
    </Space>
  );

  let body;
  if (!link) {
    body = <Notice tone="info" title={t('poster.noLink')} text={t('poster.noLinkText')} />;
  } else if (q.isError) {
    body = <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  } else if (q.isPending) {
    body = (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin description={t('loading')} />
      </Flex>
    );
  } else {
    const s = q.data;
    const location = locations.find((l) => l.locationId === link.locationId)?.name ?? link.locationId;
    const zh = titleOf(s, 'zh-CN');
    const en = titleOf(s, 'en');
    // The poster is bilingual whatever the console's language: it is printed for
    // guests, not read by the person at the console.
    body = (
      <article className="survey-poster" aria-label={t('poster.title')} translate="no">
        <Typography.Title level={2} style={{ marginTop: 0 }} data-testid="poster-location">
          {location}
        </Typography.Title>
        <Typography.Title level={3} lang="zh-CN" style={{ margin: 0 }}>
          {zh}
        </Typography.Title>
        {en !== zh && (
          <Typography.Title level={4} lang="en" style={{ marginTop: 4 }} type="secondary">
            {en}
          </Typography.Title>
        )}
        <Flex justify="center" style={{ margin: '24px 0' }}>
          <QRCode value={link.url} size={240} bordered={false} aria-label={t('poster.qrLabel')} />
        </Flex>
        <p lang="zh-CN" style={{ fontSize: 18, margin: 0 }}>
          {surveys['zh-CN']['poster.scan']}
        </p>
        <p lang="en" style={{ fontSize: 16, margin: '4px 0 16px' }}>
          {surveys.en['poster.scan']}
        </p>
        <Typography.Text type="secondary" style={{ wordBreak: 'break-all', fontSize: 12 }}>
          {link.url}
        </Typography.Text>
      </article>
    );
  }

  return (
    <Page title={t('poster.title')} extra={actions}>
      {body}
    </Page>
  );
}
