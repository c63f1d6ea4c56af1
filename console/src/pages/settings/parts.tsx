import type { ReactNode } from 'react';
import { Alert, Button, Form, Space, type FormInstance } from 'antd';
import { ApiError, errorKind } from '../../api/error';
import common from '../../i18n/common';
import settings from '../../i18n/settings';
import { useT } from '../../i18n';
import { isVersionConflict, placeFieldErrors, type FieldPath } from './apiErrors';

/**
 * The answer to a save that was refused, in words: a version conflict offers to
 * reload (the changes made here are then lost, and the page says so); field errors
 * are put on their fields by the caller (see useSaveErrors); anything else is said
 * with the common words for its status.
 */
export function SaveProblem({ error, onReload, elsewhere }: { error: unknown; onReload: () => void; elsewhere?: { field: string; message: string }[] }) {
  const t = useT(settings);
  const c = useT(common);
  if (error === undefined || error === null) return null;
  if (isVersionConflict(error)) {
    return (
      <Alert
        type="warning"
        showIcon
        role="alert"
        title={t('conflict.title')}
        description={
          // The button under the text, not beside it: a phone's width is the text's.
          <Space orientation="vertical" size={8}>
            <span>{t('conflict.text')}</span>
            <Button onClick={onReload}>{t('conflict.reload')}</Button>
          </Space>
        }
        style={{ marginBottom: 16 }}
      />
    );
  }
  const kind = errorKind(error);
  const api = error instanceof ApiError ? error : undefined;
  return (
    <Alert
      type={kind === '5xx' || kind === 'network' ? 'error' : 'warning'}
      showIcon
      role="alert"
      title={c(`error.${kind}`)}
      description={
        <Space orientation="vertical" size={4}>
          <span>{kind === '400' && (api?.fields.length ?? 0) > 0 ? t('save.fieldsText') : c(`error.${kind}.text`)}</span>
          {(elsewhere ?? []).map((f) => (
            <span key={f.field}>
              <span translate="no">{f.field}</span>: <span lang="en">{f.message}</span>
            </span>
          ))}
          {api?.detail && (elsewhere ?? []).length === 0 && <span lang="en">{c('details', { detail: api.detail })}</span>}
        </Space>
      }
      style={{ marginBottom: 16 }}
    />
  );
}

/** A field's error from the API: our words, then the API's own (in English). */
export function ApiFieldMessage({ message }: { message: string }): ReactNode {
  const t = useT(settings);
  return (
    <span>
      {t('save.refusedField')} <span lang="en">{message}</span>
    </span>
  );
}

/**
 * Puts a refused save's field errors on the form and returns those it could not
 * place (shown by SaveProblem).
 */
export function showFieldErrors(
  form: FormInstance,
  e: unknown,
  fieldOf: (apiField: string) => FieldPath | undefined,
): { field: string; message: string }[] {
  const placed = placeFieldErrors(e, fieldOf);
  if (!placed) return [];
  form.setFields(
    placed.onFields.map((f) => ({
      name: f.name,
      // antd renders errors as nodes: the API's English message is marked as such.
      errors: f.messages.map((m, i) => <ApiFieldMessage key={i} message={m} />) as unknown as string[],
    })),
  );
  return placed.elsewhere;
}

/** The form's buttons: save (busy while saving), and a note of the version being edited. */
export function SaveBar({ saving, version, label }: { saving: boolean; version?: number; label?: string }) {
  const t = useT(settings);
  return (
    <Form.Item style={{ marginBottom: 0 }}>
      <Space wrap>
        <Button type="primary" htmlType="submit" loading={saving}>
          {label ?? t('save')}
        </Button>
        {version !== undefined && (
          <span style={{ opacity: 0.7 }}>{t('save.version', { version })}</span>
        )}
      </Space>
    </Form.Item>
  );
}
