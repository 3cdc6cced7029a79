import { create } from 'zustand';
import { routeFromHash } from '../shell/routes';
import type { RouteId } from '../shell/routes';

type RouteStore = { route: RouteId };

export const useRouteStore = create<RouteStore>(() => ({
  route: routeFromHash(window.location.hash),
}));

/** Follows the address bar: links are plain `href="#/host"`, so back and forward just work. */
export function bindRouting(): () => void {
  const follow = () => useRouteStore.setState({ route: routeFromHash(window.location.hash) });
  follow();
  window.addEventListener('hashchange', follow);
  return () => window.removeEventListener('hashchange', follow);
}
