import { Button } from 'antd';
import { ApiError, errorKind, type ErrorKind } from '../api/error';
import { useAuth } from '../auth/AuthProvider';
import common from '../i18n/common';
import { useT } from '../i18n';
import { Notice, type NoticeTone } from './Notice';

const TONE: Record<ErrorKind, NoticeTone> = {
  '400': 'warning',
  '401': 'info',
  '403': 'forbidden',
  '404': 'info',
  '409': 'warning',
  '410': 'info',
  '422': 'warning',
  '429': 'warning',
  '5xx': 'error',
  network: 'error',
  other: 'error',
};

/** Kinds of failure that may pass if the same request is sent again. */
const RETRYABLE: readonly ErrorKind[] = ['409', '429', '5xx', 'network', 'other'];

/**
 * What went wrong, in words, in place of what could not be shown: never a blank page.
 * A 401 offers a fresh sign-in that comes back here; failures that may pass offer
 * onRetry when given. The server's own detail (in English) is shown beneath, for
 * whoever reports the problem.
 */
export function ErrorView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT(common);
  const auth = useAuth();
  const kind = errorKind(error);
  const api = error instanceof ApiError ? error : undefined;
  const text =
    kind === '429' && api?.retryAfter !== undefined ? t('error.429.wait', { seconds: api.retryAfter }) : t(`error.${kind}.text`);
  let actions = null;
  if (kind === '401') {
    actions = (
      <Button type="primary" onClick={auth.signIn}>
        {t('error.401.action')}
      </Button>
    );
  } else if (onRetry && RETRYABLE.includes(kind)) {
    actions = <Button onClick={onRetry}>{t('retry')}</Button>;
  }
  return (
    <Notice tone={TONE[kind]} title={t(`error.${kind}`)} text={text} actions={actions}>
      {api && (api.detail || api.field) && (
        <p style={{ margin: 0, fontSize: 12, opacity: 0.75 }}>
          {api.field && <span>{t('field', { field: api.field })} </span>}
          {api.detail && <span lang="en">{t('details', { detail: api.detail })}</span>}
        </p>
      )}
    </Notice>
  );
}
