/**
 * Links in a terminal come from whatever runs in the guest, so only web pages open: an http(s)
 * URL in a new tab without a way back to this page (noopener). Every other scheme (file:,
 * javascript:, custom app schemes) is left as text.
 */
export function httpUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

export type OpenWindow = (url: string, target: string, features: string) => unknown;

const openWindow: OpenWindow = (url, target, features) =>
  (globalThis as unknown as { open: OpenWindow }).open(url, target, features);

export function openHttpLink(text: string, open: OpenWindow = openWindow): boolean {
  const url = httpUrl(text);
  if (!url) return false;
  open(url, '_blank', 'noopener,noreferrer');
  return true;
}
