import type { GenosBridge } from '../../../preload/contract';

/**
 * Electron only: the host path of a dropped (or chosen) file, for importImage. Null in a browser,
 * where the page has no paths and streams the file to the server instead.
 */
export function droppedFilePath(file: File): string | null {
  const bridge = (globalThis as { genos?: GenosBridge }).genos;
  try {
    return bridge?.pathForFile?.(file) ?? null;
  } catch {
    return null;
  }
}
