import { DatePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';

/**
 * A report's period: two local days (YYYY-MM-DD), from and to, picked as a range and
 * never cleared; the label names it for screen readers too.
 */
export function PeriodPicker({ label, value, onChange }: { label: string; value: [string, string]; onChange: (period: [string, string]) => void }) {
  return (
    <label>
      <span style={{ marginRight: 8 }}>{label}</span>
      <DatePicker.RangePicker
        value={[dayjs(value[0]), dayjs(value[1])]}
        allowClear={false}
        aria-label={label}
        onChange={(v) => {
          const [a, b] = (v ?? []) as [Dayjs | null, Dayjs | null];
          if (a && b) onChange([a.format('YYYY-MM-DD'), b.format('YYYY-MM-DD')]);
        }}
      />
    </label>
  );
}
