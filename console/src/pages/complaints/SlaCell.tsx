import { Tag, Typography } from 'antd';
import { SlaBadge } from '../../components/SlaBadge';
import complaints from '../../i18n/complaints';
import { useT } from '../../i18n';
import { slaClock, type Complaint } from './model';

export const STATUS_COLOR: Record<string, string> = {
  received: 'blue',
  acknowledged: 'cyan',
  in_progress: 'geekblue',
  pending_customer: 'gold',
  resolved: 'green',
  closed: 'default',
};

/** A case's SLA clock: live countdown, paused, or none (resolved and closed cases). */
export function SlaCell({ c, timeZone }: { c: Complaint; timeZone: string }) {
  const t = useT(complaints);
  const clock = slaClock(c);
  if (!clock) return <Typography.Text type="secondary">{t('clock.none')}</Typography.Text>;
  if (clock.paused) return <Tag color="gold">{t('clock.paused')}</Tag>;
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <SlaBadge dueAt={clock.dueAt} timeZone={timeZone} />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t(clock.which === 'acknowledge' ? 'clock.acknowledge' : 'clock.resolve')}
      </Typography.Text>
    </span>
  );
}
