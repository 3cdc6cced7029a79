import { useRouteStore } from '../state/route-store';
import { ROUTES, hashFor } from './routes';

export function SidebarNav() {
  const current = useRouteStore((store) => store.route);
  return (
    <nav className="sidebar" aria-label="Main">
      <ul>
        {ROUTES.map((route) => (
          <li key={route.id}>
            <a
              href={hashFor(route.id)}
              className="sidebar__link"
              aria-current={route.id === current ? 'page' : undefined}
            >
              {route.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
