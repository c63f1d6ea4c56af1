import { useState, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Spin,
  Switch,
  Tag,
  Typography,
  type FormInstance,
} from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router';
import { call, useApi } from '../../api/client';
import { ApiError } from '../../api/error';
import { useAuth } from '../../auth/AuthProvider';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Notice } from '../../components/Notice';
import { Page } from '../../components/Page';
import surveys from '../../i18n/surveys';
import { useT } from '../../i18n';
import {
  CHANNELS,
  ID_PATTERN,
  LIMITS,
  QUESTION_TYPES,
  SEVERITIES,
  definitionOf,
  emptyForm,
  formFieldOf,
  formIssues,
  formOf,
  isRating,
  newQuestion,
  type BuilderForm,
  type QuestionForm,
  type QuestionType,
  type Survey,
} from './model';
import { mayEdit, surveyKey, useSurvey } from './SurveyView';


/** A typed value (dimension, keyword, option) in a tags input: data, not words of the console. */
function dataTag({ label, closable, onClose }: { label: ReactNode; closable: boolean; onClose: () => void }) {
  return (
    <Tag closable={closable} onClose={onClose} style={{ marginInlineEnd: 4 }}>
      <span translate="no">{label}</span>
    </Tag>
  );
}

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

function QuestionCard({
  form,
  name,
  index,
  count,
  onRemove,
  onMove,
}: {
  form: FormInstance<BuilderForm>;
  name: number;
  index: number;
  count: number;
  onRemove: () => void;
  onMove: (to: number) => void;
}) {
  const t = useT(surveys);
  const type = Form.useWatch(['questions', name, 'type'], form) as QuestionType | undefined;
  const dimensions = (Form.useWatch('dimensions', form) as string[] | undefined) ?? [];
  const label = t('builder.questionN', { n: index + 1 });
  return (
    <Card
      size="small"
      role="group"
      aria-label={label}
      title={label}
      extra={
        <Space size={4}>
          <Button size="small" icon={<ArrowUpOutlined />} aria-label={t('builder.moveUp', { n: index + 1 })} disabled={index === 0} onClick={() => onMove(index - 1)} />
          <Button
            size="small"
            icon={<ArrowDownOutlined />}
            aria-label={t('builder.moveDown', { n: index + 1 })}
            disabled={index === count - 1}
            onClick={() => onMove(index + 1)}
          />
          <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('builder.remove', { n: index + 1 })} disabled={count === 1} onClick={onRemove} />
        </Space>
      }
    >
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name={[name, 'type']} label={t('field.type')}>
            <Select options={QUESTION_TYPES.map((v) => ({ value: v, label: t(`type.${v}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name={[name, 'id']}
            label={t('field.questionId')}
            tooltip={t('field.questionIdHint')}
            rules={[
              { required: true, message: t('field.questionIdRequired') },
              { pattern: ID_PATTERN, message: t('field.idPattern') },
            ]}
          >
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name={[name, 'textZh']}
            label={t('field.textZh')}
            rules={[{ required: true, whitespace: true, message: t('field.textRequired') }, { max: LIMITS.text, message: t('field.tooLong', { max: LIMITS.text }) }]}
          >
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} lang="zh-CN" translate="no" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name={[name, 'textEn']}
            label={t('field.textEn')}
            rules={[{ required: true, whitespace: true, message: t('field.textRequired') }, { max: LIMITS.text, message: t('field.tooLong', { max: LIMITS.text }) }]}
          >
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} lang="en" translate="no" />
          </Form.Item>
        </Col>
        {type && isRating(type) && (
          <Col xs={24} md={12}>
            <Form.Item name={[name, 'dimension']} label={t('field.dimension')} tooltip={t('field.dimensionHint')}>
              <Select
                allowClear
                options={[{ value: '', label: t('field.noDimension') }, ...dimensions.map((d) => ({ value: d, label: <span translate="no">{d}</span> }))]}
              />
            </Form.Item>
          </Col>
        )}
        {type === 'choice' && (
          <>
            <Col xs={24} md={12}>
              <Form.Item name={[name, 'options']} label={t('field.options')} tooltip={t('field.optionsHint')}>
                <Select mode="tags" open={false} tokenSeparators={['\n']} suffixIcon={null} tagRender={dataTag} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={[name, 'multiple']} valuePropName="checked">
                <Checkbox>{t('field.multiple')}</Checkbox>
              </Form.Item>
            </Col>
          </>
        )}
        <Col xs={24} md={12}>
          <Form.Item name={[name, 'required']} valuePropName="checked">
            <Checkbox>{t('field.requiredAnswer')}</Checkbox>
          </Form.Item>
        </Col>
      </Row>
    </Card>
  );
}

function LoopFields({ form }: { form: FormInstance<BuilderForm> }) {
  const t = useT(surveys);
  const on = Form.useWatch('loopOn', form) as boolean | undefined;
  const channel = Form.useWatch('notifyChannel', form) as string | undefined;
  const openCase = Form.useWatch('openCase', form) as boolean | undefined;
  const dimensions = (Form.useWatch('dimensions', form) as string[] | undefined) ?? [];
  return (
    <Card title={h2(t('loop.title'))}>
      <Typography.Paragraph type="secondary">{t('loop.intro')}</Typography.Paragraph>
      <Form.Item name="loopOn" valuePropName="checked" label={t('loop.on')}>
        <Switch />
      </Form.Item>
      {on && (
        <Row gutter={16}>
          <Col xs={24}>
            <Form.Item label={t('loop.rules')} style={{ marginBottom: 8 }}>
              <Flex vertical gap={4}>
                <Form.Item name="detractor" valuePropName="checked" noStyle>
                  <Checkbox>{t('loop.detractor')}</Checkbox>
                </Form.Item>
                <Form.Item name="lowCsat" valuePropName="checked" noStyle>
                  <Checkbox>{t('loop.lowCsat')}</Checkbox>
                </Form.Item>
              </Flex>
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="keywords" label={t('loop.keywords')} tooltip={t('loop.keywordsHint')}>
              <Select mode="tags" open={false} suffixIcon={null} tagRender={dataTag} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="callbackWithinHours"
              label={t('loop.callbackWithinHours')}
              tooltip={t('loop.callbackHint')}
              rules={[{ required: true, type: 'integer', min: 0, max: LIMITS.callbackHours, message: t('loop.callbackRange') }]}
            >
              <InputNumber min={0} max={LIMITS.callbackHours} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.List name="thresholds">
              {(fields, { add, remove }) => (
                <Flex vertical gap={8} style={{ marginBottom: 16 }}>
                  <Typography.Text>{t('loop.thresholds')}</Typography.Text>
                  {fields.map((f, i) => (
                    <Flex key={f.key} gap={8} wrap align="start">
                      <Form.Item name={[f.name, 'dimension']} label={t('field.dimension')} rules={[{ required: true, message: t('loop.thresholdDimension') }]} style={{ minWidth: 200, flex: 1 }}>
                        <Select options={dimensions.map((d) => ({ value: d, label: <span translate="no">{d}</span> }))} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'value']} label={t('loop.atOrBelow')} rules={[{ required: true, message: t('loop.thresholdValue') }]}>
                        <InputNumber min={0} max={10} step={0.5} />
                      </Form.Item>
                      <Button danger icon={<DeleteOutlined />} aria-label={t('loop.removeThreshold', { n: i + 1 })} onClick={() => remove(f.name)} style={{ marginTop: 30 }} />
                    </Flex>
                  ))}
                  <div>
                    <Button icon={<PlusOutlined />} onClick={() => add({ dimension: dimensions[0] ?? '', value: 2 })} disabled={dimensions.length === 0}>
                      {t('loop.addThreshold')}
                    </Button>
                  </div>
                </Flex>
              )}
            </Form.List>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="notifyChannel" label={t('loop.notify')}>
              <Select
                options={[{ value: '', label: t('loop.notifyManagers') }, ...CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))]}
              />
            </Form.Item>
          </Col>
          {channel && (
            <>
              <Col xs={24} md={8}>
                <Form.Item name="notifyAddress" label={t('loop.address')} rules={[{ required: true, whitespace: true, message: t('loop.addressRequired') }]}>
                  <Input autoComplete="off" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item name="notifyLocale" label={t('issue.locale')}>
                  <Select
                    options={[
                      { value: '', label: t('issue.localeDefault') },
                      { value: 'zh-CN', label: t('locale.zh-CN') },
                      { value: 'en', label: t('locale.en') },
                    ]}
                  />
                </Form.Item>
              </Col>
            </>
          )}
          <Col xs={24}>
            <Form.Item name="openCase" valuePropName="checked" style={{ marginBottom: 8 }}>
              <Checkbox>{t('loop.openCase')}</Checkbox>
            </Form.Item>
          </Col>
          {openCase && (
            <>
              <Col xs={24} md={12}>
                <Form.Item
                  name="caseCategory"
                  label={t('loop.caseCategory')}
                  tooltip={t('loop.caseCategoryHint')}
                  rules={[
                    { required: true, message: t('loop.caseCategoryRequired') },
                    { pattern: ID_PATTERN, message: t('field.idPattern') },
                  ]}
                >
                  <Input autoComplete="off" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="caseSeverity" label={t('loop.caseSeverity')}>
                  <Select options={[{ value: '', label: t('severity.default') }, ...SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) }))]} />
                </Form.Item>
              </Col>
            </>
          )}
        </Row>
      )}
    </Card>
  );
}

function SurveyForm({ base, onReload }: { base?: Survey; onReload: () => void }) {
  const t = useT(surveys);
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { principal } = useAuth();
  const { locations, locationId } = useLocationScope();
  const [form] = Form.useForm<BuilderForm>();
  const [addType, setAddType] = useState<QuestionType>('csat');
  const [initial] = useState<BuilderForm>(() => (base ? formOf(base) : emptyForm(locationId ?? (principal.all ? '' : (locations[0]?.locationId ?? '')))));

  const save = useMutation({
    mutationFn: (f: BuilderForm) => {
      const body = definitionOf(f, base);
      return base
        ? call(api.PUT('/v1/surveys/{surveyId}', { params: { path: { surveyId: base.surveyId } }, body }))
        : call(api.POST('/v1/surveys', { body }));
    },
    onSuccess: async (s) => {
      queryClient.setQueryData(surveyKey(s.surveyId), s);
      await queryClient.invalidateQueries({ queryKey: ['/v1/surveys'] });
      navigate(`/surveys/${encodeURIComponent(s.surveyId)}`);
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      const fields = e.fields.flatMap((f) => {
        const name = formFieldOf(f.field);
        return name ? [{ name: name as never, errors: [t('builder.refused', { message: f.message })] }] : [];
      });
      if (fields.length) form.setFields(fields);
    },
  });

  const locationOptions = [
    ...(principal.all ? [{ value: '', label: t('list.everyLocation') }] : []),
    ...locations.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> })),
  ];

  const conflict = save.error instanceof ApiError && save.error.status === 409;

  return (
    <Form<BuilderForm>
      form={form}
      name="survey"
      layout="vertical"
      initialValues={initial}
      scrollToFirstError
      onFinish={(values) => {
        const issues = formIssues(values);
        if (issues.length) {
          form.setFields(issues.map((i) => ({ name: i.field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) as never, errors: [t(i.key)] })));
          return;
        }
        save.mutate(values);
      }}
    >
      <Flex vertical gap={16}>
        <Card title={h2(t('builder.about'))}>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item
                name="name"
                label={t('field.name')}
                tooltip={t('field.nameHint')}
                rules={[{ required: true, whitespace: true, message: t('field.nameRequired') }, { max: LIMITS.name, message: t('field.tooLong', { max: LIMITS.name }) }]}
              >
                <Input autoComplete="off" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                name="locationId"
                label={t('list.location')}
                rules={[{ validator: (_, v: string) => (principal.all || v ? Promise.resolve() : Promise.reject(new Error(t('issue.locationRequired')))) }]}
              >
                <Select options={locationOptions} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="titleZh" label={t('field.titleZh')} tooltip={t('field.titleHint')} rules={[{ max: LIMITS.name, message: t('field.tooLong', { max: LIMITS.name }) }]}>
                <Input lang="zh-CN" autoComplete="off" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="titleEn" label={t('field.titleEn')} tooltip={t('field.titleHint')} rules={[{ max: LIMITS.name, message: t('field.tooLong', { max: LIMITS.name }) }]}>
                <Input lang="en" autoComplete="off" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="anonymous" valuePropName="checked" label={t('field.anonymous')} tooltip={t('field.anonymousHint')}>
                <Switch />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="dimensions" label={t('field.dimensions')} tooltip={t('field.dimensionsHint')}>
                <Select mode="tags" open={false} suffixIcon={null} tagRender={dataTag} />
              </Form.Item>
            </Col>
          </Row>
        </Card>

        <Card title={h2(t('builder.questions'))}>
          <Form.List name="questions">
            {(fields, { add, remove, move }) => (
              <Flex vertical gap={12}>
                {fields.map((f, i) => (
                  <QuestionCard key={f.key} form={form} name={f.name} index={i} count={fields.length} onRemove={() => remove(f.name)} onMove={(to) => move(i, to)} />
                ))}
                <Space.Compact>
                  <Select<QuestionType>
                    aria-label={t('builder.addType')}
                    value={addType}
                    onChange={setAddType}
                    options={QUESTION_TYPES.map((v) => ({ value: v, label: t(`type.${v}`) }))}
                    style={{ minWidth: 180 }}
                  />
                  <Button
                    icon={<PlusOutlined />}
                    disabled={fields.length >= LIMITS.questions}
                    onClick={() => {
                      const ids = ((form.getFieldValue('questions') as QuestionForm[] | undefined) ?? []).map((q) => q.id);
                      add(newQuestion(addType, ids));
                    }}
                  >
                    {t('builder.addQuestion')}
                  </Button>
                </Space.Compact>
              </Flex>
            )}
          </Form.List>
        </Card>

        <LoopFields form={form} />

        {save.isError && (
          <Card>
            <ErrorView error={save.error} />
            {conflict && (
              <Flex justify="center">
                <Button onClick={onReload}>{t('builder.reload')}</Button>
              </Flex>
            )}
          </Card>
        )}
        {base && <Alert type="info" showIcon title={t('builder.versionNote', { version: base.version, next: base.version + 1 })} />}
        <Flex gap={8} wrap>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {base ? t('builder.saveVersion') : t('builder.create')}
          </Button>
          <Button onClick={() => navigate(base ? `/surveys/${encodeURIComponent(base.surveyId)}` : '/surveys')}>{t('builder.cancel')}</Button>
        </Flex>
      </Flex>
    </Form>
  );
}

/** The survey builder: a new survey (POST /v1/surveys), or the next version of one (PUT, 409 when stale). */
export default function Builder() {
  const { surveyId } = useParams();
  const t = useT(surveys);
  const scope = useLocationScope();
  if (scope.loading) {
    return (
      <Page title={surveyId ? t('builder.editTitle') : t('builder.newTitle')}>
        <Flex justify="center" style={{ padding: 48 }}>
          <Spin description={t('loading')} />
        </Flex>
      </Page>
    );
  }
  if (!surveyId) {
    return (
      <Page title={t('builder.newTitle')}>
        <SurveyForm onReload={() => {}} />
      </Page>
    );
  }
  return <EditSurvey surveyId={surveyId} />;
}

function EditSurvey({ surveyId }: { surveyId: string }) {
  const t = useT(surveys);
  const { principal } = useAuth();
  const q = useSurvey(surveyId);
  if (q.isError) {
    return (
      <Page title={t('builder.editTitle')}>
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      </Page>
    );
  }
  if (q.isPending) {
    return (
      <Page title={t('builder.editTitle')}>
        <Flex justify="center" style={{ padding: 48 }}>
          <Spin description={t('loading')} />
        </Flex>
      </Page>
    );
  }
  const s = q.data;
  if (!mayEdit(principal, s)) {
    return (
      <Page title={t('builder.editTitle')}>
        <Notice tone="forbidden" title={t('builder.headOffice')} text={t('builder.headOfficeText')} />
      </Page>
    );
  }
  return (
    <Page title={t('builder.editTitle')}>
      <SurveyForm key={s.version} base={s} onReload={() => void q.refetch()} />
    </Page>
  );
}
