import { ApiError } from '../../api/error';

export type FieldPath = (string | number)[];

export interface Placed {
  /** Errors on a field of the form: its path and the API's messages. */
  onFields: { name: FieldPath; messages: string[] }[];
  /** Errors the form has no field for, with the API's field name. */
  elsewhere: { field: string; message: string }[];
}

/**
 * Places the field errors of an API refusal (problem+json errors[]) on the form's
 * fields through fieldOf; those without a field are kept apart. Errors on one field
 * are gathered. Undefined when the error names no field (a 409, a 5xx…): the page
 * says it in words instead.
 */
export function placeFieldErrors(e: unknown, fieldOf: (apiField: string) => FieldPath | undefined): Placed | undefined {
  if (!(e instanceof ApiError) || e.status !== 400 || e.fields.length === 0) return undefined;
  const byPath = new Map<string, { name: FieldPath; messages: string[] }>();
  const elsewhere: Placed['elsewhere'] = [];
  for (const f of e.fields) {
    const name = fieldOf(f.field);
    if (!name) {
      elsewhere.push(f);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byPath.get(key) ?? { name, messages: [] };
    entry.messages.push(f.message);
    byPath.set(key, entry);
  }
  return { onFields: [...byPath.values()], elsewhere };
}

/** Whether e is the API's answer that the document changed since it was read. */
export function isVersionConflict(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 409 || e.status === 412);
}

/**
 * The form field of a dotted API field ("referral.maxPerYear", "tiers[2].name",
 * "ladder[0].at") as an antd name path: ['referral', 'maxPerYear'], ['tiers', 2, 'name'].
 * Used by the settings forms whose fields mirror the document.
 */
export function dottedPath(apiField: string): FieldPath {
  const out: FieldPath = [];
  for (const part of apiField.split('.')) {
    const m = /^([^[\]]+)((\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}
