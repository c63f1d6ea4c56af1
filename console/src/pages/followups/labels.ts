import followups from '../../i18n/followups';
import type { Vars } from '../../i18n';

/** A tag colour per follow-up status. */
export const STATUS_COLOR: Record<string, string> = {
  scheduled: 'blue',
  queued: 'cyan',
  sending: 'gold',
  sent: 'green',
  skipped: 'default',
  failed: 'red',
  cancelled: 'default',
};

type Key = keyof (typeof followups)['en'];
export type T = (key: Key, vars?: Vars) => string;

function named(t: T, prefix: string, value: string): string {
  const key = `${prefix}.${value}` as Key;
  return key in followups.en ? t(key) : value;
}

/** A kind in words (the API's name for a kind the console does not know). */
export const kindText = (t: T, kind: string) => named(t, 'kind', kind);
/** A status in words. */
export const statusText = (t: T, status: string) => named(t, 'status', status);
/** A channel in words. */
export const channelText = (t: T, channel: string) => named(t, 'channel', channel);
