import type { components } from '../api/schema';
import { mayActAt, type Principal } from '../auth/principal';

export type Location = components['schemas']['Location'];

/**
 * The locations the switcher offers: those of the API's list that the person's token
 * names (all of them for "*"), by name.
 */
export function visibleLocations(all: readonly Location[], p: Principal): Location[] {
  return all.filter((l) => mayActAt(p, l.locationId)).sort((a, b) => a.name.localeCompare(b.name));
}

/** Where the picked location is remembered, per person (a shared front-desk browser). */
export function selectionKey(subject: string): string {
  return `rapport.location.${subject}`;
}

/**
 * The location to start with: the one picked last time if it is still visible, else
 * the only one, else none (undefined: all my locations).
 */
export function initialSelection(remembered: string | null, visible: readonly Location[]): string | undefined {
  if (remembered && visible.some((l) => l.locationId === remembered)) return remembered;
  return visible.length === 1 ? visible[0]!.locationId : undefined;
}

/** The browser's own time zone: for times of no known location. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
