import { useEffect, useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Card, Form, Typography, message, type FormInstance } from 'antd';
import { ErrorView } from '../../components/ErrorView';
import settings from '../../i18n/settings';
import { useLocale, useT } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { browserZone } from '../../lib/locations';
import { dottedPath, type FieldPath } from './apiErrors';
import { SaveBar, SaveProblem, showFieldErrors } from './parts';

export interface Versioned {
  version?: number;
  updatedAt?: string;
}

/**
 * A settings document the API replaces whole (GET, then PUT with the version read):
 * complaint, loyalty and value settings. The form edits some of its fields; the rest
 * go back as they were read. A save over someone else's is a 409, said in words with
 * a reload; field errors of the API's answer land on their fields.
 */
export function VersionedSettings<T extends Versioned, F extends object>({
  title,
  intro,
  queryKey,
  load,
  save,
  toForm,
  fromForm,
  fieldOf = dottedPath,
  readOnly = false,
  children,
}: {
  title: string;
  intro: ReactNode;
  queryKey: readonly unknown[];
  load: () => Promise<T>;
  save: (doc: T) => Promise<T>;
  toForm: (doc: T) => F;
  fromForm: (values: F, read: T) => T;
  fieldOf?: (apiField: string) => FieldPath | undefined;
  readOnly?: boolean;
  children: (form: FormInstance<F>, doc: T) => ReactNode;
}) {
  const t = useT(settings);
  const locale = useLocale();
  const qc = useQueryClient();
  const [form] = Form.useForm<F>();
  const [elsewhere, setElsewhere] = useState<{ field: string; message: string }[]>([]);
  const q = useQuery({ queryKey, queryFn: load });
  const m = useMutation({
    mutationFn: (values: F) => save(fromForm(values, q.data!)),
    onSuccess: (doc) => {
      qc.setQueryData(queryKey, doc);
      void message.success(t('saved', { version: doc.version ?? '' }));
    },
    onError: (e) => setElsewhere(showFieldErrors(form as FormInstance, e, fieldOf)),
  });

  // A new version (saved here or reloaded) starts the form again from it: the keyed
  // form below takes its initial values, and this drops what was typed over the old one.
  const version = q.data?.version;
  useEffect(() => {
    if (version !== undefined) form.resetFields();
  }, [version, form]);

  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  const heading = <h2 style={{ fontSize: 16, margin: 0 }}>{title}</h2>;
  if (!q.data) return <Card loading title={heading} />;
  const doc = q.data;
  const reload = async () => {
    m.reset();
    await q.refetch();
  };
  return (
    <Card title={heading}>
      <Typography.Paragraph type="secondary">{intro}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">
        {doc.version
          ? t('doc.version', { version: doc.version, at: doc.updatedAt ? formatDateTime(doc.updatedAt, browserZone(), locale) : '—' })
          : t('doc.defaults')}
      </Typography.Paragraph>
      {m.isError && <SaveProblem error={m.error} elsewhere={elsewhere} onReload={() => void reload()} />}
      <Form<F> key={doc.version ?? 0} form={form} layout="vertical" initialValues={toForm(doc)} onFinish={(v) => m.mutate(v)} disabled={readOnly} scrollToFirstError>
        {children(form, doc)}
        {!readOnly && <SaveBar saving={m.isPending} version={doc.version ?? 0} />}
      </Form>
    </Card>
  );
}
