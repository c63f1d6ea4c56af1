import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Card, Col, Form, Input, InputNumber, Radio, Row, Select, Switch, message, type FormInstance } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ApiError } from '../../api/error';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import rewards from '../../i18n/rewards';
import settings from '../../i18n/settings';
import { useLocale, useT } from '../../i18n';
import { useLoyaltyRules } from '../customers/CustomerPage';
import { SaveBar, SaveProblem, showFieldErrors } from '../settings/parts';
import { idFromName, nameIn, rewardFieldOf, toRewardForm, toRewardInput, type Reward, type RewardFormValues } from './model';
import { REWARDS_KEY } from './RewardList';

const REWARD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A new reward (POST /v1/rewards): on success, its edit page. */
export function RewardCreate() {
  const t = useT(rewards);
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const rules = useLoyaltyRules();
  const [form] = Form.useForm<RewardFormValues>();
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  const save = useMutation({
    mutationFn: (v: RewardFormValues) => call(api.POST('/v1/rewards', { body: toRewardInput(v) })),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['/v1/rewards'] });
      void message.success(t('form.created'));
      navigate(`/rewards/${encodeURIComponent(r.rewardId)}`);
    },
    onError: (e) => {
      // A new reward's 409 is its id taken: said on the id, not as someone else's save.
      if (e instanceof ApiError && e.status === 409) form.setFields([{ name: 'rewardId', errors: [t('form.idTaken')] }]);
      else setElsewhere(showFieldErrors(form, e, rewardFieldOf));
    },
  });
  const idTaken = save.error instanceof ApiError && save.error.status === 409;
  // The form starts in the programme's currency: shown once the rules are read (or failed).
  if (rules.isPending) return <Card loading aria-busy />;
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('form.newTitle')}</h2>} extra={<BackLink />}>
      {save.isError && !idTaken && <SaveProblem error={save.error} elsewhere={elsewhere} onReload={() => save.reset()} />}
      <RewardFields form={form} initial={toRewardForm(undefined, rules.data?.currency)} creating onFinish={(v) => save.mutate(v)} saving={save.isPending} />
    </Card>
  );
}

/**
 * A reward's edit page: the reward as the catalogue serves it, saved whole (PUT) at the
 * version read. Someone else's save in between is a 409, said in words with a reload.
 */
export function RewardEdit() {
  const api = useApi();
  const qc = useQueryClient();
  const s = useT(settings);
  const { rewardId = '' } = useParams();
  const [form] = Form.useForm<RewardFormValues>();
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  // The API has no GET of one reward: the catalogue holds them all.
  const q = useQuery({ queryKey: REWARDS_KEY, queryFn: () => call(api.GET('/v1/rewards')) });
  const reward = q.data?.rewards.find((r) => r.rewardId === rewardId) as Reward | undefined;
  const save = useMutation({
    mutationFn: (v: RewardFormValues) => call(api.PUT('/v1/rewards/{rewardId}', { params: { path: { rewardId } }, body: toRewardInput(v, reward) })),
    onSuccess: (r) => {
      qc.setQueryData(REWARDS_KEY, (old: typeof q.data) => (old ? { ...old, rewards: old.rewards.map((x) => (x.rewardId === r.rewardId ? r : x)) } : old));
      void qc.invalidateQueries({ queryKey: ['/v1/rewards'] });
      void message.success(s('saved', { version: r.version }));
    },
    onError: (e) => setElsewhere(showFieldErrors(form, e, rewardFieldOf)),
  });
  const version = reward?.version;
  useEffect(() => {
    if (version !== undefined) form.resetFields();
  }, [version, form]);

  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Card loading aria-busy />;
  if (!reward) return <ErrorView error={new ApiError({ status: 404, title: 'Not Found' })} />;
  const reload = async () => {
    save.reset();
    await q.refetch();
  };
  return <RewardEditCard reward={reward} form={form} elsewhere={elsewhere} save={save} onReload={() => void reload()} />;
}

function RewardEditCard({
  reward,
  form,
  elsewhere,
  save,
  onReload,
}: {
  reward: Reward;
  form: FormInstance<RewardFormValues>;
  elsewhere: { field: string; message: string }[];
  save: { isError: boolean; error: unknown; isPending: boolean; mutate: (v: RewardFormValues) => void };
  onReload: () => void;
}) {
  const t = useT(rewards);
  const locale = useLocale();
  return (
    <Card
      title={
        <h2 style={{ fontSize: 16, margin: 0 }}>
          {t('form.editTitle')} <span translate="no">{nameIn(reward.name, locale)}</span>
        </h2>
      }
      extra={<BackLink />}
    >
      {save.isError && <SaveProblem error={save.error} elsewhere={elsewhere} onReload={onReload} />}
      <RewardFields key={reward.version} form={form} initial={toRewardForm(reward)} onFinish={(v) => save.mutate(v)} saving={save.isPending} version={reward.version} />
    </Card>
  );
}

function BackLink() {
  const t = useT(rewards);
  return (
    <Link to="/rewards">
      <ArrowLeftOutlined aria-hidden /> {t('form.back')}
    </Link>
  );
}

function RewardFields({
  form,
  initial,
  creating = false,
  onFinish,
  saving,
  version,
}: {
  form: FormInstance<RewardFormValues>;
  initial: RewardFormValues;
  creating?: boolean;
  onFinish: (v: RewardFormValues) => void;
  saving: boolean;
  version?: number;
}) {
  const t = useT(rewards);
  const s = useT(settings);
  const { locations } = useLocationScope();
  const rules = useLoyaltyRules();
  const kind = Form.useWatch('kind', form) ?? initial.kind;
  const valueType = Form.useWatch('valueType', form) ?? initial.valueType;
  const half = { xs: 24, md: 12 };
  const name = [{ required: true, whitespace: true, message: t('form.nameBad') }, { max: 120, message: t('form.nameBad') }];
  return (
    <Form<RewardFormValues>
      form={form}
      layout="vertical"
      initialValues={initial}
      onFinish={onFinish}
      scrollToFirstError
      onValuesChange={(changed: Partial<RewardFormValues>) => {
        // A new reward's id follows its English name until it is typed by hand.
        if (creating && changed.nameEn !== undefined && !form.isFieldTouched('rewardId')) form.setFieldValue('rewardId', idFromName(changed.nameEn));
      }}
    >
      <Row gutter={16}>
        <Col {...half}>
          <Form.Item name="nameZh" label={t('form.nameZh')} rules={name}>
            <Input autoComplete="off" lang="zh-CN" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="nameEn" label={t('form.nameEn')} rules={name}>
            <Input autoComplete="off" lang="en" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item
            name="rewardId"
            label={t('form.id')}
            extra={creating ? t('form.idHint') : undefined}
            rules={[{ required: true, message: t('form.idBad') }, { pattern: REWARD_ID, message: t('form.idBad') }]}
          >
            <Input disabled={!creating} autoComplete="off" translate="no" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="pointsCost" label={t('form.cost')} rules={[{ required: true, type: 'integer', min: 1, max: 10_000_000, message: t('form.costBad') }]}>
            <InputNumber min={1} precision={0} style={{ width: '100%' }} inputMode="numeric" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="kind" label={t('form.kind')} extra={kind === 'gift' ? t('form.giftHint') : undefined}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'voucher', label: t('kind.voucher') },
                { value: 'gift', label: t('kind.gift') },
              ]}
            />
          </Form.Item>
        </Col>
        {kind === 'voucher' && (
          <Col {...half}>
            <Form.Item name="valueType" label={t('form.valueType')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'amount', label: t('issue.amount') },
                  { value: 'percent', label: t('issue.percent') },
                ]}
              />
            </Form.Item>
          </Col>
        )}
        {kind === 'voucher' && valueType === 'amount' && (
          <>
            <Col xs={16} md={8}>
              <Form.Item name="amountOff" label={t('form.amountOff')} rules={[{ required: true, type: 'number', min: 0.01, max: 1_000_000, message: t('issue.amountBad') }]}>
                <InputNumber min={0.01} precision={2} style={{ width: '100%' }} inputMode="decimal" />
              </Form.Item>
            </Col>
            <Col xs={8} md={4}>
              <Form.Item name="currency" label={t('form.currency')} rules={[{ required: true, pattern: /^[A-Za-z]{3}$/, message: t('form.currencyBad') }]}>
                <Input maxLength={3} autoComplete="off" translate="no" style={{ textTransform: 'uppercase' }} />
              </Form.Item>
            </Col>
          </>
        )}
        {kind === 'voucher' && valueType === 'percent' && (
          <Col {...half}>
            <Form.Item name="percentOff" label={t('form.percentOff')} rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('issue.percentBad') }]}>
              <InputNumber min={1} max={100} precision={0} suffix="%" style={{ width: '100%' }} inputMode="numeric" />
            </Form.Item>
          </Col>
        )}
        <Col {...half}>
          <Form.Item name="stock" label={t('form.stock')} extra={t('form.stockHint')}>
            <InputNumber min={0} precision={0} style={{ width: '100%' }} inputMode="numeric" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="validDays" label={t('form.validDays')} rules={[{ required: true, type: 'integer', min: 1, max: 3660, message: t('issue.validDaysBad') }]}>
            <InputNumber min={1} max={3660} precision={0} style={{ width: '100%' }} inputMode="numeric" />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="locations" label={t('form.locations')} extra={t('form.locationsHint')}>
            <Select
              mode="multiple"
              allowClear
              aria-label={t('form.locations')}
              options={locations.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> }))}
            />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="tiers" label={t('form.tiers')} extra={t('form.tiersHint')}>
            <Select
              mode="multiple"
              allowClear
              aria-label={t('form.tiers')}
              options={(rules.data?.tiers ?? []).map((tier) => ({ value: tier.name, label: <span translate="no">{tier.name}</span> }))}
            />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="active" label={t('form.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Col>
      </Row>
      <SaveBar saving={saving} version={version} label={creating ? t('form.create') : s('save')} />
    </Form>
  );
}
