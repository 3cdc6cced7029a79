import { useEffect, useState } from 'react';
import { ACCEPTED_EXTENSIONS } from '../state/accepted-image-files';
import { RECIPE_ACCEPT, isRecipeFileName } from '../state/compose-recipe';
import { useComposeStore } from '../state/compose-store';
import { useImportsStore } from '../state/imports-store';
import { hashFor } from './routes';

function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

/**
 * Files dragged onto the window, anywhere, go to the image library: an overlay says so while they
 * hover, and a drop imports them and shows the Images page, where their progress is. Recipe
 * files go to Compose instead.
 */
export function DropOverlay() {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    // dragenter/dragleave fire for every child crossed: count them to know when the drag left.
    let depth = 0;
    const onEnter = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth += 1;
      setDragging(true);
    };
    const onOver = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      // Without this the browser would open the file instead of dropping it here.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (event: DragEvent) => {
      depth = 0;
      setDragging(false);
      if (!carriesFiles(event)) return;
      event.preventDefault();
      const files = Array.from(event.dataTransfer?.files ?? []);
      // A recipe is not a disk image: Compose opens it (the Compose page takes its own drops).
      const recipe = files.find((file) => isRecipeFileName(file.name));
      const images = files.filter((file) => !isRecipeFileName(file.name));
      if (recipe) void useComposeStore.getState().openRecipeFile(recipe);
      if (images.length > 0) useImportsStore.getState().importFiles(images);
      if (recipe || images.length > 0)
        window.location.hash = hashFor(images.length > 0 ? 'images' : 'compose');
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  if (!dragging) return null;
  return (
    <div className="drop-overlay" role="status" aria-label="Drop to import">
      <div className="drop-overlay__box">
        <p className="drop-overlay__title">Drop to import into the image library</p>
        <p>{ACCEPTED_EXTENSIONS.join(', ')}</p>
        <p>Recipes ({RECIPE_ACCEPT.replaceAll(',', ', ')}) open in Compose.</p>
      </div>
    </div>
  );
}
