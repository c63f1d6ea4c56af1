import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Input, Modal, Typography } from 'antd';
import { DeleteOutlined, DownloadOutlined, MergeCellsOutlined } from '@ant-design/icons';
import { call, useApi } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { RoleGate } from '../../components/RoleGate';
import customers from '../../i18n/customers';
import { useT } from '../../i18n';
import { dayInZone } from '../../lib/format';
import { useLocationScope } from '../../components/LocationSwitcher';
import { Data, fill } from './parts';
import { confirmsErase, exportFileName, type Customer } from './model';

/** Saves data as a JSON file the browser downloads. */
function saveJson(data: unknown, name: string) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Merge a duplicate, export and erase: managers and up, each confirmed first. */
export function DangerCard({ customer: c }: { customer: Customer }) {
  const t = useT(customers);
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { zoneOf } = useLocationScope();
  const [dialog, setDialog] = useState<'merge' | 'erase' | undefined>();
  const [duplicate, setDuplicate] = useState('');
  const [typed, setTyped] = useState('');
  const [done, setDone] = useState<string | undefined>();
  const id = c.customerId;
  const refresh = () => void qc.invalidateQueries({ predicate: (q) => q.queryKey.includes(id) });

  const merge = useMutation({
    mutationFn: (duplicateId: string) => call(api.POST('/v1/customers/{customerId}/merge', { params: { path: { customerId: id } }, body: { duplicateId } })),
    onSuccess: (r) => {
      const moved = ((r as { moved?: Record<string, unknown> }).moved ?? {}) as Record<string, number>;
      setDialog(undefined);
      setDone(
        t('merge.done', {
          visits: moved.visits ?? 0,
          complaints: moved.complaints ?? 0,
          followups: moved.followups ?? 0,
          responses: moved.surveyResponses ?? 0,
        }),
      );
      refresh();
    },
  });
  const exp = useMutation({
    mutationFn: () => call(api.GET('/v1/customers/{customerId}/export', { params: { path: { customerId: id } } })),
    onSuccess: (data) => {
      const file = exportFileName(id, dayInZone(new Date(), zoneOf(c.locationId)));
      saveJson(data, file);
      setDone(t('export.done', { file }));
    },
  });
  const erase = useMutation({
    mutationFn: () => call(api.DELETE('/v1/customers/{customerId}', { params: { path: { customerId: id } } })),
    onSuccess: () => {
      setDialog(undefined);
      void qc.invalidateQueries({ queryKey: ['/v1/customers'] });
      qc.removeQueries({ predicate: (q) => q.queryKey.includes(id) });
      navigate('/customers', { replace: true });
    },
  });
  const failed = [merge, exp, erase].find((m) => m.isError)?.error;
  const wanted = (c.name ?? '').trim() || id;

  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('danger.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('danger.intro')}</Typography.Paragraph>
      {done && <Alert type="success" showIcon title={done} closable onClose={() => setDone(undefined)} style={{ marginBottom: 12 }} />}
      {failed !== undefined && dialog === undefined && <ErrorView error={failed} />}
      <Flex gap={8} wrap>
        <RoleGate action="customer.merge">
          <Button icon={<MergeCellsOutlined />} onClick={() => (merge.reset(), setDuplicate(''), setDialog('merge'))}>
            {t('merge.button')}
          </Button>
        </RoleGate>
        <RoleGate action="customer.export">
          <Button icon={<DownloadOutlined />} loading={exp.isPending} onClick={() => exp.mutate()}>
            {t('export.button')}
          </Button>
        </RoleGate>
        <RoleGate action="customer.erase">
          <Button danger icon={<DeleteOutlined />} onClick={() => (erase.reset(), setTyped(''), setDialog('erase'))}>
            {t('erase.button')}
          </Button>
        </RoleGate>
      </Flex>

      <Modal
        open={dialog === 'merge'}
        title={t('merge.title')}
        okText={t('merge.confirm')}
        cancelText={t('action.cancel')}
        okButtonProps={{ danger: true, disabled: duplicate.trim() === '' || duplicate.trim() === id }}
        confirmLoading={merge.isPending}
        onOk={() => merge.mutate(duplicate.trim())}
        onCancel={() => setDialog(undefined)}
        destroyOnHidden
      >
        <Typography.Paragraph>{t('merge.text')}</Typography.Paragraph>
        <label htmlFor="merge-duplicate" style={{ display: 'block', marginBottom: 4 }}>
          {t('merge.id')}
        </label>
        <Input id="merge-duplicate" value={duplicate} onChange={(e) => setDuplicate(e.target.value)} autoComplete="off" />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {duplicate.trim() === id ? t('merge.same') : t('merge.idHint')}
        </Typography.Text>
        {merge.isError && <ErrorView error={merge.error} />}
      </Modal>

      <Modal
        open={dialog === 'erase'}
        title={t('erase.title')}
        okText={t('erase.confirm')}
        cancelText={t('action.cancel')}
        okButtonProps={{ danger: true, disabled: !confirmsErase(c, typed) }}
        confirmLoading={erase.isPending}
        onOk={() => erase.mutate()}
        onCancel={() => setDialog(undefined)}
        destroyOnHidden
      >
        <Typography.Paragraph>{t('erase.text')}</Typography.Paragraph>
        <label htmlFor="erase-confirm" style={{ display: 'block', marginBottom: 4 }}>
          {fill(t('erase.type'), { name: <Data>{wanted}</Data> })}
        </label>
        <Input id="erase-confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        {erase.isError && <ErrorView error={erase.error} />}
      </Modal>
    </Card>
  );
}
