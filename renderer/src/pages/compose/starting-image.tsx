import { Section } from '../../components/section';
import { formatBytes } from '../../format/sizes';
import { useComposeDraftStore } from '../../state/compose-draft-store';

/** "New environment from this image": the disk the spec boots, until the user lets it go. */
export function StartingImage() {
  const image = useComposeDraftStore((store) => store.fromImage);
  const clear = useComposeDraftStore((store) => store.clear);
  if (!image) return null;
  return (
    <Section title="Starting from an image">
      <p>
        The new environment boots <strong>{image.name}</strong> ({image.format},{' '}
        {formatBytes(image.virtualSize)}) from the image library as a virtual machine. Describe the
        rest in the prompt (“4 GB, 2 CPUs, forward 2222 to 22”) or edit the fields.
      </p>
      <button type="button" className="button--quiet" onClick={clear}>
        Start from scratch instead
      </button>
    </Section>
  );
}
