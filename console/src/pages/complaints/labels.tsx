import { useCallback, type ReactNode } from 'react';
import complaints from '../../i18n/complaints';
import { useT } from '../../i18n';

type Key = keyof (typeof complaints)['en'];
export type LabelKind = 'status' | 'severity' | 'channel' | 'category' | 'rootCause' | 'event';

/** Whether the catalogue has words for a value (the default categories, statuses…). */
export function hasLabel(kind: LabelKind, value: string | undefined): boolean {
  return value !== undefined && `${kind}.${value}` in complaints.en;
}

/**
 * Words for a status, severity, channel, category, root cause or timeline event: the
 * catalogue's when it has them, else the value itself as data (a category an
 * administrator added), marked not to be translated.
 */
export function useLabel(): (kind: LabelKind, value: string | undefined) => ReactNode {
  const t = useT(complaints);
  return useCallback(
    (kind: LabelKind, value: string | undefined) => {
      if (value !== undefined && hasLabel(kind, value)) return t(`${kind}.${value}` as Key);
      return <span translate="no">{value ?? '—'}</span>;
    },
    [t],
  );
}
