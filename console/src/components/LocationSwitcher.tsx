import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Dropdown, Tooltip } from 'antd';
import { DownOutlined, EnvironmentOutlined, WarningOutlined } from '@ant-design/icons';
import { call, useApi } from '../api/client';
import { useAuth } from '../auth/AuthProvider';
import shell from '../i18n/shell';
import { useT } from '../i18n';
import { browserZone, initialSelection, selectionKey, visibleLocations, type Location } from '../lib/locations';

export interface LocationScope {
  /** The locations the person may see, by name. */
  locations: Location[];
  /** The picked location's id; undefined for all my locations. */
  locationId: string | undefined;
  /** The picked location, if one is picked. */
  location: Location | undefined;
  select(id: string | undefined): void;
  /** The time zone of a location (the browser's for one not in the list). */
  zoneOf(locationId: string | undefined): string;
  /** The time zone to show times in: the picked location's, else the browser's. */
  zone: string;
  loading: boolean;
  error: unknown;
}

const ScopeContext = createContext<LocationScope | null>(null);

/** The location the pages work in, as the header's switcher sets it. */
export function useLocationScope(): LocationScope {
  const s = useContext(ScopeContext);
  if (!s) throw new Error('useLocationScope outside LocationProvider');
  return s;
}

function remembered(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export const LOCATIONS_KEY = ['/v1/locations'] as const;

export function LocationProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const { principal } = useAuth();
  const q = useQuery({ queryKey: LOCATIONS_KEY, queryFn: () => call(api.GET('/v1/locations')) });
  const locations = useMemo(() => visibleLocations(q.data?.items ?? [], principal), [q.data, principal]);
  const key = selectionKey(principal.subject);
  const [picked, setPicked] = useState<string | null>(() => remembered(key));
  const locationId = initialSelection(picked, locations);
  const select = useCallback(
    (id: string | undefined) => {
      setPicked(id ?? null);
      try {
        if (id) localStorage.setItem(key, id);
        else localStorage.removeItem(key);
      } catch {
        // not remembered; the choice holds for this visit
      }
    },
    [key],
  );
  const scope = useMemo<LocationScope>(() => {
    const byId = new Map(locations.map((l) => [l.locationId, l]));
    const zoneOf = (id: string | undefined) => (id && byId.get(id)?.timeZone) || browserZone();
    return {
      locations,
      locationId,
      location: locationId ? byId.get(locationId) : undefined,
      select,
      zoneOf,
      zone: zoneOf(locationId),
      loading: q.isPending,
      error: q.error,
    };
  }, [locations, locationId, select, q.isPending, q.error]);
  return <ScopeContext.Provider value={scope}>{children}</ScopeContext.Provider>;
}

const ALL = '*';

/**
 * The header's location picker: one location, or all of mine. A menu button (lighter
 * than a select in the first load), named for screen readers with its current choice.
 */
export function LocationSwitcher() {
  const t = useT(shell);
  const { locations, locationId, location, select, loading, error } = useLocationScope();
  if (loading) {
    return (
      <Button disabled icon={<EnvironmentOutlined />} loading aria-label={t('location.label')}>
        {t('page.loading')}
      </Button>
    );
  }
  if (error) {
    return (
      <Tooltip title={t('location.failedHint')}>
        <Button danger icon={<WarningOutlined />} aria-label={t('location.current', { name: t('location.failed') })}>
          {t('location.failed')}
        </Button>
      </Tooltip>
    );
  }
  if (locations.length === 0) {
    return (
      <Tooltip title={t('location.noneHint')}>
        <Button disabled icon={<EnvironmentOutlined />} aria-label={t('location.current', { name: t('location.none') })}>
          {t('location.none')}
        </Button>
      </Tooltip>
    );
  }
  const current = location?.name ?? t('location.all');
  const items = [
    ...(locations.length > 1 ? [{ key: ALL, label: t('location.all') }] : []),
    // A location's name is data: kept from translation (and from the language test).
    ...locations.map((l) => ({ key: l.locationId, label: <span translate="no">{l.name}</span> })),
  ];
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items,
        selectable: true,
        selectedKeys: [locationId ?? ALL],
        onClick: ({ key }) => select(key === ALL ? undefined : key),
        style: { maxHeight: 360, overflowY: 'auto' },
      }}
    >
      <Button icon={<EnvironmentOutlined />} aria-label={t('location.current', { name: current })} style={{ maxWidth: 220 }}>
        <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }} translate={location ? 'no' : undefined}>
          {current}
        </span>
        <DownOutlined aria-hidden />
      </Button>
    </Dropdown>
  );
}
