import { Tag, Tooltip } from 'antd';
import { countdown, countdownLabel } from '../lib/sla';
import { formatDateTime } from '../lib/format';
import { useNow } from '../lib/useNow';
import common from '../i18n/common';
import { useLocale, useT } from '../i18n';

/**
 * A live SLA clock for a due time: green while there is time, orange in the last hour,
 * red once overdue, with the due time in the location's zone on hover and for screen
 * readers.
 */
export function SlaBadge({ dueAt, timeZone }: { dueAt: string; timeZone: string }) {
  const locale = useLocale();
  const t = useT(common);
  const now = useNow();
  const c = countdown(dueAt, now);
  const due = t('sla.dueAt', { at: formatDateTime(dueAt, timeZone, locale) });
  return (
    <Tooltip title={due}>
      <Tag color={c.breached ? 'red' : c.soon ? 'orange' : 'green'} aria-label={`${countdownLabel(c, locale)}. ${due}`}>
        {countdownLabel(c, locale)}
      </Tag>
    </Tooltip>
  );
}
