import { useRef } from 'react';
import { Button, Col, Flex, Form, Input, InputNumber, Radio, Row, Select, Space, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { useLocationScope } from '../../components/LocationSwitcher';
import settings from '../../i18n/settings';
import { useT } from '../../i18n';
import {
  NOTIFY,
  SEVERITIES,
  complaintFieldOf,
  complaintFromForm,
  complaintToForm,
  loyaltyFromForm,
  loyaltyToForm,
  valueFieldOf,
  valueFromForm,
  valueToForm,
  type ComplaintForm,
  type ComplaintSettings,
  type LoyaltyForm,
  type LoyaltyRules,
  type ValueForm,
  type ValueSettings,
} from './settingsForms';
import { VersionedSettings } from './VersionedSettings';

const half = { xs: 24, md: 12 };
const third = { xs: 24, sm: 12, lg: 8 };
const quarter = { xs: 12, md: 6 };

/** Tags of names that are data (category ids, root causes), kept from translation. */
function DataTag({ label, closable, onClose }: { label: React.ReactNode; closable: boolean; onClose: () => void }) {
  return (
    <Tag closable={closable} onClose={onClose} style={{ marginInlineEnd: 4 }}>
      <span translate="no">{label}</span>
    </Tag>
  );
}

/** Categories, root causes, SLA targets per severity and the escalation ladder. */
export function ComplaintSettingsPage() {
  const t = useT(settings);
  const api = useApi();
  const required = { required: true, message: t('field.required') };
  return (
    <VersionedSettings<ComplaintSettings, ComplaintForm>
      title={t('complaints.title')}
      intro={t('complaints.intro')}
      queryKey={['/v1/settings/complaints']}
      load={() => call(api.GET('/v1/settings/complaints')) as Promise<ComplaintSettings>}
      save={(doc) => call(api.PUT('/v1/settings/complaints', { body: doc })) as Promise<ComplaintSettings>}
      toForm={complaintToForm}
      fromForm={complaintFromForm}
      fieldOf={complaintFieldOf}
    >
      {() => (
        <>
          <Row gutter={16}>
            <Col {...half}>
              <Form.Item name="categories" label={t('complaints.categories')} extra={t('complaints.namesHint')} rules={[required]}>
                <Select mode="tags" tokenSeparators={[',', ' ']} tagRender={DataTag} aria-label={t('complaints.categories')} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="rootCauses" label={t('complaints.rootCauses')} extra={t('complaints.namesHint')} rules={[required]}>
                <Select mode="tags" tokenSeparators={[',', ' ']} tagRender={DataTag} aria-label={t('complaints.rootCauses')} />
              </Form.Item>
            </Col>
          </Row>
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('complaints.sla')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('complaints.slaIntro')}</Typography.Paragraph>
          {SEVERITIES.map((sev) => (
            <Row gutter={16} key={sev} role="group" aria-label={t(`severity.${sev}`)}>
              <Col xs={24} md={6}>
                <Typography.Text strong style={{ display: 'block', paddingTop: 30 }}>
                  {t(`severity.${sev}`)}
                </Typography.Text>
              </Col>
              <Col xs={12} md={9}>
                <Form.Item name={['policies', sev, 'acknowledgeMinutes']} label={t('complaints.acknowledge')} rules={[required]}>
                  <InputNumber min={1} precision={0} style={{ width: '100%' }} suffix={t('unit.minutes')} />
                </Form.Item>
              </Col>
              <Col xs={12} md={9}>
                <Form.Item name={['policies', sev, 'resolveMinutes']} label={t('complaints.resolve')} rules={[required]}>
                  <InputNumber min={1} precision={0} style={{ width: '100%' }} suffix={t('unit.minutes')} />
                </Form.Item>
              </Col>
            </Row>
          ))}
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('complaints.ladder')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('complaints.ladderIntro')}</Typography.Paragraph>
          <Form.List name="ladder">
            {(fields, { add, remove }, { errors }) => (
              <>
                {fields.map((f, i) => (
                  <Flex key={f.key} gap={8} wrap align="start" role="group" aria-label={t('complaints.step', { n: i + 1 })}>
                    <Form.Item name={[f.name, 'percent']} label={t('complaints.stepAt')} rules={[required]}>
                      <InputNumber min={1} max={1000} suffix="%" style={{ width: 120 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'notify']} label={t('complaints.stepNotify')} rules={[required]} style={{ minWidth: 180 }}>
                      <Select options={NOTIFY.map((n) => ({ value: n, label: t(`notify.${n}`) }))} aria-label={t('complaints.stepNotify')} />
                    </Form.Item>
                    <Form.Item label={<span aria-hidden>&nbsp;</span>}>
                      <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('complaints.removeStep', { n: i + 1 })} />
                    </Form.Item>
                  </Flex>
                ))}
                <Form.ErrorList errors={errors} />
                <Form.Item>
                  <Button icon={<PlusOutlined />} onClick={() => add({ percent: 100, notify: 'managers' })} disabled={fields.length >= 5}>
                    {t('complaints.addStep')}
                  </Button>
                </Form.Item>
              </>
            )}
          </Form.List>
          <Row gutter={16}>
            <Col {...half}>
              <Form.Item name="reopenWindowDays" label={t('complaints.reopenWindow')} rules={[required]}>
                <InputNumber min={0} max={365} precision={0} suffix={t('unit.days')} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="callbackAfterDays" label={t('complaints.callbackAfter')} extra={t('complaints.callbackHint')} rules={[required]}>
                <InputNumber min={0} max={90} precision={0} suffix={t('unit.days')} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
          <Typography.Paragraph type="secondary">{t('complaints.kept')}</Typography.Paragraph>
        </>
      )}
    </VersionedSettings>
  );
}

/** Earning, expiry, tiers, referral and birthday rules of the loyalty programme. */
export function LoyaltySettingsPage() {
  const t = useT(settings);
  const api = useApi();
  const required = { required: true, message: t('field.required') };
  const n = (name: (string | number)[] | string, label: string, opts: { min?: number; precision?: number; suffix?: string; extra?: string } = {}) => (
    <Form.Item name={name} label={label} extra={opts.extra} rules={[required]}>
      <InputNumber min={opts.min ?? 0} precision={opts.precision} suffix={opts.suffix} style={{ width: '100%' }} />
    </Form.Item>
  );
  return (
    <VersionedSettings<LoyaltyRules, LoyaltyForm>
      title={t('loyalty.title')}
      intro={t('loyalty.intro')}
      queryKey={['/v1/settings/loyalty']}
      load={() => call(api.GET('/v1/settings/loyalty')) as Promise<LoyaltyRules>}
      save={(doc) => call(api.PUT('/v1/settings/loyalty', { body: doc as unknown as Record<string, never> })) as Promise<LoyaltyRules>}
      toForm={loyaltyToForm}
      fromForm={loyaltyFromForm}
    >
      {() => (
        <>
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('loyalty.earning')}
          </Typography.Title>
          <Row gutter={16}>
            <Col {...third}>
              <Form.Item
                name="currency"
                label={t('loyalty.currency')}
                extra={t('loyalty.currencyHint')}
                rules={[required, { pattern: /^[A-Za-z]{3}$/, message: t('loyalty.currencyFormat') }]}
              >
                <Input maxLength={3} translate="no" style={{ textTransform: 'uppercase' }} />
              </Form.Item>
            </Col>
            <Col {...third}>{n('pointsPerUnit', t('loyalty.pointsPerUnit'), { extra: t('loyalty.pointsPerUnitHint') })}</Col>
            <Col {...third}>{n('capPerTransaction', t('loyalty.cap'), { precision: 0, extra: t('loyalty.capHint') })}</Col>
            <Col {...third}>{n('pendingDays', t('loyalty.pendingDays'), { precision: 0, suffix: t('unit.days') })}</Col>
            <Col {...third}>{n('expiryMonths', t('loyalty.expiryMonths'), { min: 1, precision: 0, suffix: t('unit.months') })}</Col>
            <Col {...third}>{n('reminderDays', t('loyalty.reminderDays'), { precision: 0, suffix: t('unit.days') })}</Col>
          </Row>
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('loyalty.tiers')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('loyalty.tiersIntro')}</Typography.Paragraph>
          <Form.List name="tiers">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Flex key={f.key} gap={8} wrap align="start" role="group" aria-label={t('loyalty.tier', { n: i + 1 })}>
                    <Form.Item name={[f.name, 'name']} label={t('loyalty.tierName')} rules={[required]}>
                      <Input translate="no" style={{ width: 160 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'threshold']} label={t('loyalty.tierThreshold')} rules={[required]}>
                      <InputNumber min={0} precision={0} style={{ width: 160 }} />
                    </Form.Item>
                    <Form.Item label={<span aria-hidden>&nbsp;</span>}>
                      <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('loyalty.removeTier', { n: i + 1 })} disabled={fields.length <= 1} />
                    </Form.Item>
                  </Flex>
                ))}
                <Form.Item>
                  <Button icon={<PlusOutlined />} onClick={() => add({ name: '', threshold: null })}>
                    {t('loyalty.addTier')}
                  </Button>
                </Form.Item>
              </>
            )}
          </Form.List>
          <Row gutter={16}>
            <Col {...third}>{n('graceDays', t('loyalty.graceDays'), { precision: 0, suffix: t('unit.days') })}</Col>
            <Col {...third}>{n('birthdayBonus', t('loyalty.birthdayBonus'), { precision: 0, suffix: t('unit.points') })}</Col>
          </Row>
          <Form.Item name="birthdayVoucherKind" label={t('loyalty.birthdayVoucher')} extra={t('loyalty.birthdayVoucherHint')}>
            <Radio.Group
              options={[
                { value: 'none', label: t('loyalty.birthdayVoucherNone') },
                { value: 'amount', label: t('loyalty.birthdayVoucherAmount') },
                { value: 'percent', label: t('loyalty.birthdayVoucherPercent') },
              ]}
            />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a: LoyaltyForm, b: LoyaltyForm) => a.birthdayVoucherKind !== b.birthdayVoucherKind}>
            {({ getFieldValue }) =>
              getFieldValue('birthdayVoucherKind') !== 'none' && (
                <Row gutter={16}>
                  <Col {...third}>
                    {getFieldValue('birthdayVoucherKind') === 'amount'
                      ? n(['birthdayVoucher', 'value', 'amountOff'], t('loyalty.voucherAmountOff'), { min: 0.01, precision: 2 })
                      : n(['birthdayVoucher', 'value', 'percentOff'], t('loyalty.voucherPercentOff'), { min: 1, precision: 0, suffix: '%' })}
                  </Col>
                  <Col {...third}>{n(['birthdayVoucher', 'validDays'], t('loyalty.voucherValidDays'), { min: 1, precision: 0, suffix: t('unit.days') })}</Col>
                </Row>
              )
            }
          </Form.Item>
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('loyalty.referral')}
          </Typography.Title>
          <Row gutter={16}>
            <Col {...quarter}>{n(['referral', 'referrerBonus'], t('loyalty.referrerBonus'), { precision: 0 })}</Col>
            <Col {...quarter}>{n(['referral', 'refereeBonus'], t('loyalty.refereeBonus'), { precision: 0 })}</Col>
            <Col {...quarter}>{n(['referral', 'qualifyingAmount'], t('loyalty.qualifyingAmount'))}</Col>
            <Col {...quarter}>{n(['referral', 'maxPerYear'], t('loyalty.maxPerYear'), { precision: 0, extra: t('loyalty.maxPerYearHint') })}</Col>
          </Row>
          <Typography.Paragraph type="secondary">{t('loyalty.kept')}</Typography.Paragraph>
        </>
      )}
    </VersionedSettings>
  );
}

/** RFM, ABC, lifetime value, word of mouth and win-back (admins; managers set their own location's win-back days in Segments). */
export function ValueSettingsPage() {
  const t = useT(settings);
  const api = useApi();
  const { locations } = useLocationScope();
  const required = { required: true, message: t('field.required') };
  const opt = (name: (string | number)[], label: string, placeholder: string, opts: { max?: number; precision?: number; step?: number } = {}) => (
    <Form.Item name={name} label={label}>
      <InputNumber min={0} max={opts.max} precision={opts.precision} step={opts.step} placeholder={placeholder} style={{ width: '100%' }} />
    </Form.Item>
  );
  // The values last sent, to find the row of a location the API names in an error.
  const sent = useRef<ValueForm | undefined>(undefined);
  return (
    <VersionedSettings<ValueSettings, ValueForm>
      title={t('value.title')}
      intro={t('value.intro')}
      queryKey={['/v1/settings/value']}
      load={() => call(api.GET('/v1/settings/value')) as Promise<ValueSettings>}
      save={(doc) => call(api.PUT('/v1/settings/value', { body: doc as unknown as Record<string, never> })) as Promise<ValueSettings>}
      toForm={valueToForm}
      fromForm={(f, read) => {
        sent.current = f;
        return valueFromForm(f, read);
      }}
      fieldOf={(field) => valueFieldOf(field, sent.current)}
    >
      {() => (
        <>
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('value.winBack')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('value.winBackIntro')}</Typography.Paragraph>
          <Row gutter={16}>
            <Col {...half}>
              <Form.Item name={['winBack', 'days']} label={t('value.winBackDays')} extra={t('value.winBackDaysHint')} rules={[required]}>
                <InputNumber min={0} max={3650} precision={0} suffix={t('unit.days')} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name={['winBack', 'periodDays']} label={t('value.periodDays')} extra={t('value.periodDaysHint')} rules={[required]}>
                <InputNumber min={0} max={3650} precision={0} suffix={t('unit.days')} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
          <Form.List name={['winBack', 'locations']}>
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Flex key={f.key} gap={8} wrap align="start" role="group" aria-label={t('value.override', { n: i + 1 })}>
                    <Form.Item name={[f.name, 'locationId']} label={t('value.overrideLocation')} rules={[required]} style={{ minWidth: 200 }}>
                      <Select
                        aria-label={t('value.overrideLocation')}
                        options={locations.map((l) => ({ value: l.locationId, label: <span translate="no">{l.name}</span> }))}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'days']} label={t('value.winBackDays')} rules={[required]}>
                      <InputNumber min={0} max={3650} precision={0} suffix={t('unit.days')} style={{ width: 140 }} />
                    </Form.Item>
                    <Form.Item label={<span aria-hidden>&nbsp;</span>}>
                      <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('value.removeOverride', { n: i + 1 })} />
                    </Form.Item>
                  </Flex>
                ))}
                <Form.Item>
                  <Button icon={<PlusOutlined />} onClick={() => add({ locationId: undefined, days: 0 })}>
                    {t('value.addOverride')}
                  </Button>
                </Form.Item>
              </>
            )}
          </Form.List>

          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('value.rfm')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('value.rfmIntro')}</Typography.Paragraph>
          <Form.Item name={['rfm', 'method']} label={t('value.rfmMethod')}>
            <Select
              aria-label={t('value.rfmMethod')}
              options={[
                { value: 'quintiles', label: t('value.quintiles') },
                { value: 'thresholds', label: t('value.thresholds') },
              ]}
              style={{ maxWidth: 320 }}
            />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a: ValueForm, b: ValueForm) => a.rfm?.method !== b.rfm?.method}>
            {({ getFieldValue }) =>
              getFieldValue(['rfm', 'method']) === 'thresholds' && (
                <>
                  {(['recencyDays', 'frequency', 'monetary'] as const).map((list) => (
                    <Form.Item key={list} label={t(`value.${list}`)} extra={t(`value.${list}Hint`)} required>
                      <Space wrap>
                        {[0, 1, 2, 3].map((i) => (
                          <Form.Item key={i} name={['rfm', list, i]} noStyle rules={[required]}>
                            <InputNumber min={0} aria-label={t('value.limit', { what: t(`value.${list}`), n: i + 1 })} style={{ width: 110 }} />
                          </Form.Item>
                        ))}
                      </Space>
                    </Form.Item>
                  ))}
                </>
              )
            }
          </Form.Item>

          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('value.abc')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('value.defaultsHint')}</Typography.Paragraph>
          <Row gutter={16}>
            <Col {...quarter}>{opt(['abc', 'aShare'], t('value.aShare'), '0.8', { max: 1, step: 0.05 })}</Col>
            <Col {...quarter}>{opt(['abc', 'bShare'], t('value.bShare'), '0.95', { max: 1, step: 0.05 })}</Col>
            <Col {...quarter}>{opt(['abc', 'minR'], t('value.minR'), '3', { max: 5, precision: 0 })}</Col>
            <Col {...quarter}>{opt(['abc', 'minF'], t('value.minF'), '3', { max: 5, precision: 0 })}</Col>
          </Row>
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('value.clv')}
          </Typography.Title>
          <Row gutter={16}>
            <Col {...third}>{opt(['clv', 'lifetimeYears'], t('value.lifetimeYears'), '3', { step: 0.5 })}</Col>
            <Col {...third}>{opt(['clv', 'margin'], t('value.margin'), '1', { max: 1, step: 0.05 })}</Col>
            <Col {...third}>{opt(['clv', 'discountRate'], t('value.discountRate'), '0', { max: 1, step: 0.01 })}</Col>
          </Row>
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('value.wordOfMouth')}
          </Typography.Title>
          <Row gutter={16}>
            <Col {...quarter}>{opt(['wordOfMouth', 'promoterTells'], t('value.promoterTells'), '3')}</Col>
            <Col {...quarter}>{opt(['wordOfMouth', 'detractorTells'], t('value.detractorTells'), '9')}</Col>
            <Col {...quarter}>{opt(['wordOfMouth', 'conversionRate'], t('value.conversionRate'), '0.1', { max: 1, step: 0.05 })}</Col>
            <Col {...quarter}>{opt(['wordOfMouth', 'lossRate'], t('value.lossRate'), '0.1', { max: 1, step: 0.05 })}</Col>
          </Row>
        </>
      )}
    </VersionedSettings>
  );
}
