import { create } from 'zustand';
import { detailFromHash, routeFromHash } from '../shell/routes';
import type { RouteId } from '../shell/routes';

type RouteStore = {
  route: RouteId;
  /** The item a page shows inside itself (`#/environments/<id>`), or null. */
  detail: string | null;
};

function fromLocation(): RouteStore {
  return {
    route: routeFromHash(window.location.hash),
    detail: detailFromHash(window.location.hash),
  };
}

export const useRouteStore = create<RouteStore>(() => fromLocation());

/** Follows the address bar: links are plain `href="#/host"`, so back and forward just work. */
export function bindRouting(): () => void {
  const follow = () => useRouteStore.setState(fromLocation());
  follow();
  window.addEventListener('hashchange', follow);
  return () => window.removeEventListener('hashchange', follow);
}
