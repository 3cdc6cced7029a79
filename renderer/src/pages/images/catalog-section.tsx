import { useEffect, useState } from 'react';
import type { ApiErrorShape, CatalogImage } from '../../../../preload/contract';
import { ErrorNotice } from '../../components/error-notice';
import { LoadingNotice } from '../../components/loading-notice';
import { Section } from '../../components/section';
import { api } from '../../bridge/api';
import { useConnectionStore } from '../../state/connection-store';
import { errorShape } from '../../state/load-status';
import { useTasksStore } from '../../state/tasks-store';
import { CatalogRow } from './catalog-row';

type Listing = { items: CatalogImage[]; localCatalog: { path: string; error: string | null } };

/** Ids of catalog tasks that have ended: when one more ends, the cache state has changed. */
function endedCatalogTasks(byId: ReturnType<typeof useTasksStore.getState>['byId']): string {
  return Object.values(byId)
    .filter((t) => t.kind.startsWith('catalog.') && t.state !== 'running')
    .map((t) => t.id)
    .sort()
    .join(',');
}

/**
 * The OS catalog's base images: which are cached (and whether verified), partly downloaded or
 * missing — with the file to drop in when offline — and Download / Cancel / Remove per image.
 * Progress comes from the task pushes (the same tasks the tray shows).
 */
export function CatalogSection() {
  const epoch = useConnectionStore((store) => store.epoch);
  const ended = useTasksStore((store) => endedCatalogTasks(store.byId));
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<ApiErrorShape | null>(null);

  // Bumped after a removal: the list is read again.
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    if (epoch === 0) return;
    let current = true;
    api.call('listCatalogImages', {}).then(
      (next) => {
        if (!current) return;
        setListing(next);
        setError(null);
      },
      (err: unknown) => {
        if (current) setError(errorShape(err));
      },
    );
    return () => {
      current = false;
    };
  }, [epoch, ended, reloads]);

  return (
    <Section title="OS catalog">
      <p className="muted">
        Base images for virtual machines, downloaded once and shared by every environment. Offline,
        add the named file yourself with Add file…
      </p>
      {error ? <ErrorNotice title="Could not list the OS catalog" error={error} /> : null}
      {listing?.localCatalog.error ? (
        <div role="alert" className="notice notice--warning">
          <p className="notice__title">Your local catalog was not used</p>
          <p>{listing.localCatalog.error}</p>
        </div>
      ) : null}
      {listing ? (
        <table className="table image-table" aria-label="OS catalog images">
          <thead>
            <tr>
              <th scope="col">Image</th>
              <th scope="col">State</th>
              <th scope="col">Size</th>
              <th scope="col">File to drop in</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {listing.items.map((item) => (
              <CatalogRow
                key={`${item.osId} ${item.version} ${item.media}`}
                item={item}
                onChanged={() => setReloads((n) => n + 1)}
              />
            ))}
          </tbody>
        </table>
      ) : !error ? (
        <LoadingNotice>Loading the OS catalog…</LoadingNotice>
      ) : null}
      <p className="muted">
        {`Add your own entries in ${listing?.localCatalog.path ?? 'catalog.local.json in the data directory'}.`}
      </p>
    </Section>
  );
}
