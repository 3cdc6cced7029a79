import type { ComponentType } from 'react';
import { PAGE_TITLE_ID } from '../components/page-header';
import { ComposePage } from '../pages/compose-page';
import { EnvironmentsPage } from '../pages/environments-page';
import { HostPage } from '../pages/host-page';
import { ImagesPage } from '../pages/images-page';
import { SettingsPage } from '../pages/settings-page';
import { useRouteStore } from '../state/route-store';
import { AppHeader } from './app-header';
import { DropOverlay } from './drop-overlay';
import { ErrorBoundary } from './error-boundary';
import { HelpOverlay } from './help-overlay';
import type { RouteId } from './routes';
import { SidebarNav } from './sidebar-nav';
import { useGlobalShortcuts } from './use-global-shortcuts';

const PAGES: Record<RouteId, ComponentType> = {
  compose: ComposePage,
  environments: EnvironmentsPage,
  images: ImagesPage,
  host: HostPage,
  settings: SettingsPage,
};

export function AppShell() {
  const route = useRouteStore((store) => store.route);
  const Page = PAGES[route];
  useGlobalShortcuts();
  return (
    <div className="app">
      <AppHeader />
      <div className="app-body">
        <SidebarNav />
        <main className="page" aria-labelledby={PAGE_TITLE_ID}>
          <ErrorBoundary key={route}>
            <Page />
          </ErrorBoundary>
        </main>
      </div>
      <HelpOverlay />
      <DropOverlay />
    </div>
  );
}
