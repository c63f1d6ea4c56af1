import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, List, Popconfirm, Tag, Timeline, Typography } from 'antd';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import { RoleGate } from '../../components/RoleGate';
import customers from '../../i18n/customers';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { Data, fill } from './parts';

const CHANNELS = ['email', 'sms', 'webhook'] as const;
type Channel = (typeof CHANNELS)[number];

/** Where a change made in the console is said to come from (the consent record's source). */
export const CONSENT_SOURCE = 'staff-console';

/**
 * Consent per channel (GET /v1/customers/{id}/consent?history=true): the latest answer,
 * when, how and by whom, then every change, newest first; staff record an opt-in or an
 * opt-out the customer gives at the desk. Times are in the customer's home location's
 * zone (locationId; the header's location's, else the browser's, without one).
 */
export function ConsentCard({ customerId, locationId }: { customerId: string; locationId?: string }) {
  const t = useT(customers);
  const locale = useLocale();
  const api = useApi();
  const qc = useQueryClient();
  const scope = useLocationScope();
  const home = locationId ? scope.locations.find((l) => l.locationId === locationId) : undefined;
  const zone = home?.timeZone ?? scope.zone;
  const [saved, setSaved] = useState(false);
  const key = ['/v1/customers/{customerId}/consent', customerId] as const;
  const q = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/v1/customers/{customerId}/consent', { params: { path: { customerId }, query: { history: true } } })),
  });
  const set = useMutation({
    mutationFn: ({ channel, granted }: { channel: Channel; granted: boolean }) =>
      call(api.PUT('/v1/customers/{customerId}/consent/{channel}', { params: { path: { customerId, channel } }, body: { granted, source: CONSENT_SOURCE } })),
    onSuccess: () => {
      setSaved(true);
      void qc.invalidateQueries({ queryKey: key });
      void qc.invalidateQueries({ queryKey: ['/v1/customers/{customerId}', customerId] });
    },
  });

  const channelName = (ch: Channel) => t(`consent.channel.${ch}`);
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('consent.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('consent.intro')}</Typography.Paragraph>
      {saved && <Alert type="success" showIcon title={t('consent.saved')} closable onClose={() => setSaved(false)} style={{ marginBottom: 12 }} />}
      {set.isError && <ErrorView error={set.error} />}
      {q.isError ? (
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <List
          loading={q.isPending}
          dataSource={[...CHANNELS]}
          renderItem={(ch) => {
            const c = q.data?.items.find((i) => i.channel === ch);
            const state = !c ? t('consent.notAsked') : c.granted ? t('consent.granted') : t('consent.refused');
            return (
              <List.Item
                actions={[
                  <RoleGate key="set" action="customer.edit">
                    <Popconfirm
                      title={c?.granted ? t('consent.confirmOut', { channel: channelName(ch) }) : t('consent.confirmIn', { channel: channelName(ch) })}
                      okText={t('consent.yes')}
                      cancelText={t('consent.no')}
                      onConfirm={() => set.mutateAsync({ channel: ch, granted: !c?.granted }).catch(() => undefined)}
                    >
                      <Button size="small" loading={set.isPending && set.variables?.channel === ch}>
                        {c?.granted ? t('consent.optOut') : t('consent.optIn')}
                      </Button>
                    </Popconfirm>
                  </RoleGate>,
                ]}
              >
                <Flex vertical gap={2}>
                  <span aria-label={t('consent.label', { channel: channelName(ch), state })}>
                    <strong>{channelName(ch)}</strong>{' '}
                    <Tag color={!c ? 'default' : c.granted ? 'green' : 'red'}>{state}</Tag>
                  </span>
                  {c && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {fill(t('consent.when', { at: formatDateTime(c.at, zone, locale) }), { source: <Data>{c.source}</Data> })}
                      {c.by && <> · {fill(t('consent.by'), { by: <Data>{c.by}</Data> })}</>}
                    </Typography.Text>
                  )}
                </Flex>
              </List.Item>
            );
          }}
        />
      )}
      {q.data && (
        <>
          <h3 style={{ fontSize: 14, margin: '16px 0 8px' }}>{t('consent.history')}</h3>
          {home && (
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {fill(t('consent.zone'), { location: <Data>{home.name}</Data>, zone: <Data>{zone}</Data> })}
            </Typography.Paragraph>
          )}
          {(q.data.history ?? []).length === 0 ? (
            <Typography.Text type="secondary">{t('consent.historyEmpty')}</Typography.Text>
          ) : (
            <Timeline
                items={(q.data.history ?? []).map((h, i) => {
                  const state = h.granted ? t('consent.granted') : t('consent.refused');
                  return {
                    key: `${h.at}-${h.channel}-${i}`,
                    color: h.granted ? 'green' : 'red',
                    content: (
                      <div>
                        <div>
                          <time dateTime={h.at}>{formatDateTime(h.at, zone, locale)}</time>
                        </div>
                        <span aria-label={t('consent.label', { channel: channelName(h.channel), state })}>
                          <strong>{channelName(h.channel)}</strong> <Tag color={h.granted ? 'green' : 'red'}>{state}</Tag>
                        </span>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {fill(t('consent.via'), { source: <Data>{h.source}</Data> })}
                          {h.by && <> · {fill(t('consent.by'), { by: <Data>{h.by}</Data> })}</>}
                        </Typography.Text>
                      </div>
                    ),
                  };
                })}
              />
          )}
        </>
      )}
    </Card>
  );
}
