/**
 * The printable poster of a public link: its address carries the link's URL and the
 * location, so that it can be reloaded and printed again without issuing another link.
 */
export function posterPath(surveyId: string, url: string, locationId: string): string {
  const q = new URLSearchParams({ url, locationId });
  return `/surveys/${encodeURIComponent(surveyId)}/poster?${q.toString()}`;
}

/**
 * The link a poster shows, from its address: only an http(s) address of a hosted survey
 * page (/v1/s/…), so that a crafted address cannot print a QR code to elsewhere.
 */
export function posterLink(params: URLSearchParams): { url: string; locationId: string } | undefined {
  const raw = params.get('url') ?? '';
  const locationId = params.get('locationId') ?? '';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || !/\/v1\/s\/[^/]+$/.test(u.pathname) || locationId === '') return undefined;
  return { url: u.toString(), locationId };
}
