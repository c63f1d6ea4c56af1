import type { ReactNode } from 'react';
import { Descriptions, Tag, Typography } from 'antd';
import { useLocationScope } from '../../components/LocationSwitcher';
import rewards from '../../i18n/rewards';
import { useLocale, useT, type Locale } from '../../i18n';
import { formatDateTime, formatMoney } from '../../lib/format';
import { Data, fill } from '../customers/parts';
import { nameIn } from '../rewards/model';
import { billOf, type Refusal, type Voucher, type VoucherStatus, type VoucherValue, type Why } from './model';

const STATUS_COLOR: Record<VoucherStatus, string> = { issued: 'green', redeemed: 'blue', expired: 'default', cancelled: 'red' };

/** A voucher's status, in words and colour. */
export function VoucherStatusTag({ status }: { status: VoucherStatus }) {
  const t = useT(rewards);
  return <Tag color={STATUS_COLOR[status]}>{t(`status.${status}`)}</Tag>;
}

/** A voucher's or reward's value in words: "CN¥20.00 off", "10% off", or a gift. */
export function useValueText(): (kind: 'voucher' | 'gift' | string, v: VoucherValue | undefined) => string {
  const t = useT(rewards);
  const locale = useLocale();
  return (kind, v) => {
    if (kind === 'gift' || !v) return t('value.gift');
    if (v.amountOff !== undefined && v.currency) return t('value.amount', { amount: formatMoney(v.amountOff, v.currency, locale) });
    if (v.percentOff !== undefined) return t('value.percent', { percent: v.percentOff });
    return t('kind.voucher');
  };
}

/** A code as printed, in a type a cashier reads back without mistakes. */
export function Code({ code, large = false }: { code: string; large?: boolean }) {
  return (
    <Typography.Text code copyable={{ text: code }} translate="no" style={{ fontSize: large ? 20 : undefined, letterSpacing: large ? 1 : undefined }}>
      {code}
    </Typography.Text>
  );
}

/** The names of locations by id, the ids the person cannot see left as they are. */
export function useLocationNames(): (ids: readonly string[] | undefined) => string {
  const { locations } = useLocationScope();
  return (ids) => (ids ?? []).map((id) => locations.find((l) => l.locationId === id)?.name ?? id).join(', ');
}

/** One voucher: code, name, value, status and its story (redeemed, cancelled), where and until when. */
export function VoucherDetails({ v }: { v: Voucher }) {
  const t = useT(rewards);
  const locale = useLocale();
  const value = useValueText();
  const { zoneOf } = useLocationScope();
  const names = useLocationNames();
  const zone = zoneOf(v.locationId);
  const items: { key: string; label: string; children: ReactNode }[] = [
    { key: 'code', label: t('code'), children: <Code code={v.printedCode} large /> },
    { key: 'status', label: t('status'), children: <VoucherStatusTag status={v.status} /> },
    { key: 'value', label: t('value'), children: value(v.kind, v.value) },
  ];
  if (v.name) items.push({ key: 'name', label: t('name'), children: <Data>{nameIn(v.name, locale)}</Data> });
  items.push(
    { key: 'expires', label: t('expires'), children: formatDateTime(v.expiresAt, zone, locale) },
    { key: 'where', label: t('where'), children: v.locationIds?.length ? <Data>{names(v.locationIds)}</Data> : t('everywhere') },
    { key: 'issued', label: t('issuedAt'), children: formatDateTime(v.issuedAt, zone, locale) },
  );
  if (v.reason) items.push({ key: 'reason', label: t('reason'), children: <Data>{v.reason}</Data> });
  return (
    <>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} items={items} />
      {v.status === 'redeemed' && v.redemption && (
        <Typography.Paragraph style={{ margin: '8px 0 0' }}>
          {fill(t('redeemedLine'), {
            at: formatDateTime(v.redemption.at, zoneOf(v.redemption.locationId), locale),
            location: <Data>{names([v.redemption.locationId ?? ''])}</Data>,
            bill: <Data>{billOf(v.redemption.sourceId)}</Data>,
          })}
        </Typography.Paragraph>
      )}
      {v.status === 'cancelled' && v.cancelled && (
        <Typography.Paragraph style={{ margin: '8px 0 0' }}>
          {fill(t('cancelledLine'), { at: formatDateTime(v.cancelled.at, zone, locale), reason: <Data>{v.cancelled.reason ?? ''}</Data> })}
        </Typography.Paragraph>
      )}
    </>
  );
}

/** Why a reward is not offered, in words. */
export function WhyText({ why }: { why: Why }) {
  const t = useT(rewards);
  const locale = useLocale();
  switch (why.key) {
    case 'why.tier':
      return <>{fill(t('why.tier'), { tiers: <Data>{why.tiers}</Data> })}</>;
    case 'why.points':
      return <>{t('why.points', { available: fmt(why.available, locale), needed: fmt(why.needed, locale) })}</>;
    default:
      return <>{t(why.key)}</>;
  }
}

function fmt(n: number, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** A refused redeem, reverse or cancel, in words. */
export function RefusalText({ r }: { r: Refusal }) {
  const t = useT(rewards);
  const locale = useLocale();
  const { zoneOf } = useLocationScope();
  const names = useLocationNames();
  switch (r.key) {
    case 'refused.redeemed':
      return <>{fill(t(r.key), { at: formatDateTime(r.at, zoneOf(r.locationId), locale), location: <Data>{names([r.locationId])}</Data> })}</>;
    case 'refused.expired':
      return <>{t(r.key, { at: formatDateTime(r.at, zoneOf(undefined), locale) })}</>;
    case 'refused.location':
      return <>{fill(t(r.key), { where: <Data>{names(r.where.split(/,\s*/))}</Data> })}</>;
    case 'refused.otherBill':
      return <>{fill(t(r.key), { bill: <Data>{billOf(r.bill)}</Data> })}</>;
    case 'refused.notIssued':
      return <>{t(r.key, { status: isStatus(r.status) ? t(`status.${r.status}`) : r.status })}</>;
    default:
      return <>{t(r.key)}</>;
  }
}

function isStatus(s: string): s is VoucherStatus {
  return s === 'issued' || s === 'redeemed' || s === 'expired' || s === 'cancelled';
}
