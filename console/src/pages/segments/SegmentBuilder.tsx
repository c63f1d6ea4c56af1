import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Card, Col, Form, Input, InputNumber, Radio, Row, Select, Tag, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { useLocationScope } from '../../components/LocationSwitcher';
import segments from '../../i18n/segments';
import { useT } from '../../i18n';
import { SaveBar, SaveProblem, showFieldErrors } from '../settings/parts';
import { SEGMENTS_KEY } from './SegmentList';
import { CLASSES, TIERS, builderFieldOf, emptyBuilder, toRequest, type BuilderForm, type Segment } from './segment';

/**
 * Builds a segment (POST /v1/segments): a home location, then any of the value
 * classes and tiers, least RFM scores, tags, the last visit and a least number of
 * visits. Saved, it opens on its page with the count of its customers now.
 */
export function SegmentBuilder() {
  const t = useT(segments);
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { locations, locationId, loading } = useLocationScope();
  const [form] = Form.useForm<BuilderForm>();
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  const save = useMutation({
    mutationFn: async (v: BuilderForm) => (await call(api.POST('/v1/segments', { body: toRequest(v) }))) as unknown as Segment,
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: SEGMENTS_KEY });
      navigate(`/segments/${encodeURIComponent(s.segmentId)}`);
    },
    onError: (e) => setElsewhere(showFieldErrors(form, e, builderFieldOf)),
  });
  const required = { required: true, message: t('field.required') };
  const score = (name: 'minR' | 'minF' | 'minM') => (
    <Col xs={8} md={4}>
      <Form.Item name={name} label={t(`builder.${name}`)}>
        <InputNumber min={1} max={5} precision={0} style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  );
  // The form starts at the picked (or only) location: wait for the list of them.
  if (loading) return <Card loading title={t('builder.title')} />;
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('builder.title')}</h2>}
      extra={
        <Link to="/segments">
          <ArrowLeftOutlined aria-hidden /> {t('back')}
        </Link>
      }
    >
      <Typography.Paragraph type="secondary">{t('builder.intro')}</Typography.Paragraph>
      {save.isError && <SaveProblem error={save.error} elsewhere={elsewhere} onReload={() => save.reset()} />}
      <Form<BuilderForm>
        form={form}
        layout="vertical"
        initialValues={emptyBuilder(locationId ?? (locations.length === 1 ? locations[0]!.locationId : ''))}
        onFinish={(v) => save.mutate(v)}
        scrollToFirstError
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="name" label={t('builder.name')} rules={[required, { max: 200, message: t('field.max200') }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="locationId" label={t('builder.location')} extra={t('builder.locationHint')} rules={[required]}>
              <Select
                aria-label={t('builder.location')}
                options={locations.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Title level={3} style={{ fontSize: 15 }}>
          {t('builder.value')}
        </Typography.Title>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="abc" label={t('builder.abc')} extra={t('builder.abcHint')}>
              <Select mode="multiple" aria-label={t('builder.abc')} options={CLASSES.map((c) => ({ value: c, label: <span translate="no">{c}</span> }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="tiers" label={t('builder.tiers')}>
              <Select mode="multiple" aria-label={t('builder.tiers')} options={TIERS.map((x) => ({ value: x, label: t(`tier.${x}`) }))} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Paragraph type="secondary">{t('builder.rfmHint')}</Typography.Paragraph>
        <Row gutter={16}>
          {score('minR')}
          {score('minF')}
          {score('minM')}
        </Row>
        <Typography.Title level={3} style={{ fontSize: 15 }}>
          {t('builder.behaviour')}
        </Typography.Title>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="tags" label={t('builder.tags')} extra={t('builder.tagsHint')}>
              <Select
                mode="tags"
                tokenSeparators={[',']}
                aria-label={t('builder.tags')}
                tagRender={({ label, closable, onClose }) => (
                  <Tag closable={closable} onClose={onClose} style={{ marginInlineEnd: 4 }}>
                    <span translate="no">{label}</span>
                  </Tag>
                )}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="minVisits" label={t('builder.minVisits')}>
              <InputNumber min={1} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="lastVisit" label={t('builder.lastVisit')}>
          <Radio.Group
            options={[
              { value: 'any', label: t('builder.lastVisit.any') },
              { value: 'within', label: t('builder.lastVisit.within') },
              { value: 'notWithin', label: t('builder.lastVisit.notWithin') },
            ]}
          />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a: BuilderForm, b: BuilderForm) => a.lastVisit !== b.lastVisit}>
          {({ getFieldValue }) =>
            getFieldValue('lastVisit') !== 'any' && (
              <Form.Item
                name="days"
                label={t('builder.days')}
                extra={getFieldValue('lastVisit') === 'notWithin' ? t('builder.neverVisited') : undefined}
                rules={[required]}
              >
                <InputNumber min={1} precision={0} suffix={t('unit.days')} style={{ width: 200 }} />
              </Form.Item>
            )
          }
        </Form.Item>
        <Alert type="info" role="note" showIcon title={t('builder.allHold')} style={{ marginBottom: 16 }} />
        <SaveBar saving={save.isPending} label={t('builder.save')} />
      </Form>
    </Card>
  );
}
