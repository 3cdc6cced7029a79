/** The app's pages, in sidebar order. The hash (`#/host`) names the page, so a reload stays put. */
export const ROUTES = [
  { id: 'compose', label: 'Compose' },
  { id: 'environments', label: 'Environments' },
  { id: 'images', label: 'Images' },
  { id: 'host', label: 'Host' },
  { id: 'settings', label: 'Settings' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];

export const DEFAULT_ROUTE: RouteId = 'compose';

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split(/[/?&]/)[0];
  return ROUTES.find((route) => route.id === id)?.id ?? DEFAULT_ROUTE;
}

export function hashFor(route: RouteId): string {
  return `#/${route}`;
}

/** What a page shows inside itself: `#/environments/<id>` -> "<id>"; null for the page itself. */
export function detailFromHash(hash: string): string | null {
  const part = hash.replace(/^#\/?/, '').split(/[?&]/)[0]?.split('/')[1];
  if (!part) return null;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function detailHash(route: RouteId, id: string): string {
  return `${hashFor(route)}/${encodeURIComponent(id)}`;
}
