import { useEffect, useRef } from 'react';
import { ErrorNotice } from '../components/error-notice';
import { LoadingNotice } from '../components/loading-notice';
import { PageHeader } from '../components/page-header';
import { Section } from '../components/section';
import { ACCEPT_ATTRIBUTE, ACCEPTED_EXTENSIONS } from '../state/accepted-image-files';
import { useConnectionStore } from '../state/connection-store';
import { useImagesStore } from '../state/images-store';
import { useImportsStore } from '../state/imports-store';
import { ImageLibrary } from './images/image-library';
import { ImportsList } from './images/imports-list';
import { CatalogSection } from './images/catalog-section';

export function ImagesPage() {
  const epoch = useConnectionStore((store) => store.epoch);
  const { items, status, error, load } = useImagesStore();
  const entries = useImportsStore((store) => store.entries);
  const importFiles = useImportsStore((store) => store.importFiles);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (epoch > 0) void load();
  }, [epoch, load]);

  return (
    <>
      <PageHeader
        title="Images"
        intro={`Disk images and ISOs for virtual machines. Drop ${ACCEPTED_EXTENSIONS.join(', ')} files anywhere on this window to import them.`}
        actions={
          <>
            <button type="button" onClick={() => fileInput.current?.click()}>
              Import a file…
            </button>
            <input
              ref={fileInput}
              type="file"
              className="visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              accept={ACCEPT_ATTRIBUTE}
              multiple
              onChange={(event) => {
                const files = Array.from(event.target.files ?? []);
                event.target.value = '';
                if (files.length) importFiles(files);
              }}
            />
          </>
        }
      />
      <div className="stack">
        {entries.length ? (
          <Section title="Imports">
            <ImportsList entries={entries} />
          </Section>
        ) : null}
        <Section title="Library">
          {error ? <ErrorNotice title="Could not list the images" error={error} /> : null}
          {status === 'ready' ? (
            items.length ? (
              <ImageLibrary items={items} />
            ) : (
              <p className="empty">
                No images yet. Drop a disk image anywhere on this window, or choose one with Import
                a file.
              </p>
            )
          ) : status !== 'error' ? (
            <LoadingNotice>Loading images…</LoadingNotice>
          ) : null}
        </Section>
        <CatalogSection />
      </div>
    </>
  );
}
