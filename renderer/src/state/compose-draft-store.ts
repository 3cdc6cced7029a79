import { create } from 'zustand';
import type { ImageRecord } from '../../../preload/contract';

/**
 * What another page hands to Compose: "New environment from this image" puts the image here and
 * opens Compose, which starts its spec from it (image: {kind: 'library', imageId}, backend qemu).
 */
type ComposeDraftStore = {
  fromImage: Pick<ImageRecord, 'id' | 'name' | 'format' | 'virtualSize'> | null;
  startFromImage(image: ImageRecord): void;
  clear(): void;
};

export const useComposeDraftStore = create<ComposeDraftStore>((set) => ({
  fromImage: null,
  startFromImage: ({ id, name, format, virtualSize }) =>
    set({ fromImage: { id, name, format, virtualSize } }),
  clear: () => set({ fromImage: null }),
}));
