import { PageHeader } from '../components/page-header';
import { Section } from '../components/section';
import { formatBytes } from '../format/sizes';
import { useComposeDraftStore } from '../state/compose-draft-store';

/** Until the composer view lands: what it will do, and the image it was asked to start from. */
function StartingImage() {
  const image = useComposeDraftStore((store) => store.fromImage);
  const clear = useComposeDraftStore((store) => store.clear);
  if (!image) return null;
  return (
    <Section title="Starting from an image">
      <p>
        The new environment boots <strong>{image.name}</strong> ({image.format},{' '}
        {formatBytes(image.virtualSize)}) from the image library as a virtual machine.
      </p>
      <button type="button" className="button--quiet" onClick={clear}>
        Start from scratch instead
      </button>
    </Section>
  );
}

export function ComposePage() {
  return (
    <>
      <PageHeader title="Compose" />
      <div className="stack">
        <StartingImage />
        <p className="placeholder">
          Coming next: type a sentence such as “Debian 12 desktop with Firefox, 4 GB, no internet”,
          review the environment GenOS composes from it, and start it as a virtual machine or a
          container.
        </p>
      </div>
    </>
  );
}
