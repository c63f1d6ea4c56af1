import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Popconfirm } from 'antd';
import { call, useApi } from '../../api/client';
import { ApiError } from '../../api/error';
import { ErrorView } from '../../components/ErrorView';
import { RoleGate } from '../../components/RoleGate';
import followups from '../../i18n/followups';
import { useT } from '../../i18n';
import { cancellable, type Followup } from './model';

/** Every list of follow-ups (by customer, by location) and the customers' timelines. */
export function useRefreshFollowups(): () => void {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: ['/v1/followups'] });
    void qc.invalidateQueries({ queryKey: ['/v1/customers/{customerId}/timeline'] });
  };
}

/**
 * Cancelling a follow-up (DELETE /v1/followups/{id}) after a confirmation: the button
 * of a row, and the notices saying how it went (one sent meanwhile is 409, in words).
 * `say` shows another success in the same place (a message scheduled).
 */
export function useCancelFollowup() {
  const t = useT(followups);
  const api = useApi();
  const refresh = useRefreshFollowups();
  const [cancelError, setCancelError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const cancel = useMutation({
    mutationFn: (id: string) => call(api.DELETE('/v1/followups/{followupId}', { params: { path: { followupId: id } } })),
    onSuccess: () => {
      setCancelError(undefined);
      setDone(t('cancel.done'));
      refresh();
    },
    onError: (e) => {
      setDone(undefined);
      setCancelError(e);
      refresh();
    },
  });

  const notices = (
    <>
      {done && <Alert type="success" showIcon title={done} closable onClose={() => setDone(undefined)} style={{ marginBottom: 12 }} />}
      {cancelError !== undefined &&
        (cancelError instanceof ApiError && cancelError.status === 409 ? (
          <Alert type="warning" showIcon title={t('cancel.late')} closable onClose={() => setCancelError(undefined)} style={{ marginBottom: 12 }} />
        ) : (
          <ErrorView error={cancelError} />
        ))}
    </>
  );

  /** The cancel button of a follow-up still cancellable (dueText: its due time in words). */
  const button = (f: Followup, dueText: string) =>
    cancellable(f) ? (
      <RoleGate action="followup.cancel">
        <Popconfirm
          title={t('cancel.confirm')}
          okText={t('cancel.yes')}
          cancelText={t('cancel.no')}
          okButtonProps={{ danger: true }}
          onConfirm={() => cancel.mutateAsync(f.followupId).catch(() => undefined)}
        >
          <Button danger size="small" aria-label={t('cancel.label', { at: dueText })} loading={cancel.isPending && cancel.variables === f.followupId}>
            {t('cancel.button')}
          </Button>
        </Popconfirm>
      </RoleGate>
    ) : null;

  const say = (message: string) => {
    setCancelError(undefined);
    setDone(message);
  };
  return { notices, button, say };
}
