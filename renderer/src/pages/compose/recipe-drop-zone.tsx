import { useRef, useState } from 'react';
import type { DragEvent, ReactNode } from 'react';
import { RECIPE_EXTENSIONS, isRecipeFileName } from '../../state/compose-recipe';
import { useComposeStore } from '../../state/compose-store';
import { useImportsStore } from '../../state/imports-store';

function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

/**
 * The Compose page takes recipe files dropped on it. The shell imports any file dropped on the
 * window as a disk image (shell/drop-overlay.tsx, listening on window): this zone stops a drag's
 * events from reaching it while over the page, so its overlay stays away, and keeps a drop for
 * itself only when it holds a recipe. A drop of disk images alone goes on to the shell, which
 * imports them as anywhere else.
 */
export function RecipeDropZone({ children }: { children: ReactNode }) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const openRecipeFile = useComposeStore((store) => store.openRecipeFile);

  const onDragEnter = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.stopPropagation();
    depth.current += 1;
    setOver(true);
  };
  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.stopPropagation();
    event.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.stopPropagation();
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  };
  const onDrop = (event: DragEvent) => {
    depth.current = 0;
    setOver(false);
    if (!carriesFiles(event)) return;
    const files = Array.from(event.dataTransfer.files);
    const [recipe] = files.filter((file) => isRecipeFileName(file.name));
    if (!recipe) return; // disk images: the shell's
    event.preventDefault();
    event.stopPropagation();
    const others = files.filter((file) => !isRecipeFileName(file.name));
    if (others.length) useImportsStore.getState().importFiles(others);
    void openRecipeFile(recipe);
  };

  return (
    <div
      className={`compose-drop${over ? ' compose-drop--over' : ''}`}
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {over ? (
        <p role="status" className="compose-drop__hint">
          Drop a recipe ({RECIPE_EXTENSIONS.map((ext) => `.${ext}`).join(', ')}) to open it; disk
          images go to the image library.
        </p>
      ) : null}
      {children}
    </div>
  );
}
