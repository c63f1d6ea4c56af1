import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Flex, Form, Input, InputNumber, QRCode, Row, Select, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import surveys from '../../i18n/surveys';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { posterPath } from './poster';
import type { Issued, Survey, SurveyLocale } from './model';

/** The locations a survey can be given out at: its own, else any of the person's. */
function useIssueLocations(s: Survey) {
  const { locations, locationId } = useLocationScope();
  const options = (s.locationId ? locations.filter((l) => l.locationId === s.locationId) : locations).map((l) => ({
    value: l.locationId,
    label: <span translate="no">{l.name}</span>,
  }));
  const initial = s.locationId ?? locationId ?? (options.length === 1 ? options[0]!.value : undefined);
  return { options, initial };
}

const localeOptions = (t: (k: 'issue.localeDefault' | 'locale.en' | 'locale.zh-CN') => string) => [
  { value: '', label: t('issue.localeDefault') },
  { value: 'zh-CN', label: t('locale.zh-CN') },
  { value: 'en', label: t('locale.en') },
];

function IssuedView({ issued, locationId, children }: { issued: Issued; locationId: string; children?: React.ReactNode }) {
  const t = useT(surveys);
  const locale = useLocale();
  const { zoneOf } = useLocationScope();
  return (
    <Alert
      type="success"
      showIcon
      role="status"
      title={issued.kind === 'link' ? t('link.done') : t('invite.done')}
      description={
        <Flex vertical gap={8}>
          <Typography.Text copyable={{ text: issued.url, tooltips: [t('issue.copy'), t('issue.copied')] }}>
            <a href={issued.url} target="_blank" rel="noreferrer" translate="no" style={{ wordBreak: 'break-all' }}>
              {issued.url}
            </a>
          </Typography.Text>
          <span>
            {t('issue.expires')} <span translate="no">{formatDateTime(issued.expiresAt, zoneOf(locationId), locale)}</span>
          </span>
          {children}
        </Flex>
      }
    />
  );
}

interface InviteForm {
  customerId: string;
  locationId: string;
  expiresInHours: number;
  locale: '' | SurveyLocale;
}

/** Invites one customer (POST /v1/surveys/{surveyId}/invitations): a single-use, expiring link. */
export function InviteCard({ survey }: { survey: Survey }) {
  const t = useT(surveys);
  const api = useApi();
  const [form] = Form.useForm<InviteForm>();
  const { options, initial } = useIssueLocations(survey);
  const [sent, setSent] = useState<{ issued: Issued; locationId: string } | null>(null);
  const m = useMutation({
    mutationFn: (v: InviteForm) =>
      call(
        api.POST('/v1/surveys/{surveyId}/invitations', {
          params: { path: { surveyId: survey.surveyId } },
          body: { customerId: v.customerId.trim(), locationId: v.locationId, expiresInHours: v.expiresInHours, ...(v.locale ? { locale: v.locale } : {}) },
        }),
      ),
    onSuccess: (issued, v) => setSent({ issued, locationId: v.locationId }),
  });
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('invite.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('invite.intro')}</Typography.Paragraph>
      <Form<InviteForm>
        form={form}
        layout="vertical"
        initialValues={{ customerId: '', locationId: initial, expiresInHours: 336, locale: '' }}
        onFinish={(v) => {
          setSent(null);
          m.mutate(v);
        }}
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="customerId"
              label={t('invite.customerId')}
              rules={[{ required: true, whitespace: true, message: t('invite.customerIdRequired') }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="locationId" label={t('list.location')} rules={[{ required: true, message: t('issue.locationRequired') }]}>
              <Select options={options} disabled={!!survey.locationId} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="expiresInHours" label={t('invite.expiresInHours')} rules={[{ required: true, type: 'integer', min: 1, max: 2160, message: t('invite.expiresRange') }]}>
              <InputNumber min={1} max={2160} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="locale" label={t('issue.locale')}>
              <Select options={localeOptions(t)} />
            </Form.Item>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit" loading={m.isPending}>
          {t('invite.submit')}
        </Button>
      </Form>
      {m.isError && <ErrorView error={m.error} />}
      {sent && (
        <div style={{ marginTop: 16 }}>
          <IssuedView issued={sent.issued} locationId={sent.locationId} />
        </div>
      )}
    </Card>
  );
}

interface LinkForm {
  locationId: string;
  dailyCap: number;
  expiresInDays: number;
  locale: '' | SurveyLocale;
}

/**
 * Opens a public link of an anonymous survey at a location (POST
 * /v1/surveys/{surveyId}/links), with its QR code and a printable poster.
 */
export function LinkCard({ survey }: { survey: Survey }) {
  const t = useT(surveys);
  const api = useApi();
  const [form] = Form.useForm<LinkForm>();
  const { options, initial } = useIssueLocations(survey);
  const navigate = useNavigate();
  const [made, setMade] = useState<{ issued: Issued; locationId: string } | null>(null);
  const m = useMutation({
    mutationFn: (v: LinkForm) =>
      call(
        api.POST('/v1/surveys/{surveyId}/links', {
          params: { path: { surveyId: survey.surveyId } },
          body: { locationId: v.locationId, dailyCap: v.dailyCap, expiresInDays: v.expiresInDays, ...(v.locale ? { locale: v.locale } : {}) },
        }),
      ),
    onSuccess: (issued, v) => setMade({ issued, locationId: v.locationId }),
  });
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('link.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('link.intro')}</Typography.Paragraph>
      <Form<LinkForm>
        form={form}
        layout="vertical"
        initialValues={{ locationId: initial, dailyCap: 500, expiresInDays: 365, locale: '' }}
        onFinish={(v) => {
          setMade(null);
          m.mutate(v);
        }}
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="locationId" label={t('list.location')} rules={[{ required: true, message: t('issue.locationRequired') }]}>
              <Select options={options} disabled={!!survey.locationId} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="dailyCap" label={t('link.dailyCap')} rules={[{ required: true, type: 'integer', min: 1, max: 100000, message: t('link.dailyCapRange') }]}>
              <InputNumber min={1} max={100000} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="expiresInDays" label={t('link.expiresInDays')} rules={[{ required: true, type: 'integer', min: 1, max: 1825, message: t('link.expiresRange') }]}>
              <InputNumber min={1} max={1825} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="locale" label={t('issue.locale')}>
              <Select options={localeOptions(t)} />
            </Form.Item>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit" loading={m.isPending}>
          {t('link.submit')}
        </Button>
      </Form>
      {m.isError && <ErrorView error={m.error} />}
      {made && (
        <div style={{ marginTop: 16 }}>
          <IssuedView issued={made.issued} locationId={made.locationId}>
            <Flex gap={16} wrap align="center">
              <QRCode value={made.issued.url} size={160} aria-label={t('poster.qrLabel')} />
              <Button icon={<PrinterOutlined />} onClick={() => navigate(posterPath(survey.surveyId, made.issued.url, made.locationId))}>
                {t('link.poster')}
              </Button>
            </Flex>
          </IssuedView>
        </div>
      )}
    </Card>
  );
}
