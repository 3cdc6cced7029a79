/** The disk-image layer: plain async functions, errors are GenosErrors. */
export { convertImage, parseProgress, type ConvertRequest, type ConvertResult } from './convert.js';
export { sha256File, writeSha256File } from './hash.js';
export { importImage, type ImportedImage, type ImportRequest } from './import.js';
export { inspectImage, type ImageInfo, type InspectOptions } from './inspect.js';
export { isInLibrary } from './library.js';
export { createOverlay, type OverlayRequest, type OverlayResult } from './overlay.js';
export {
  createQemuImgRunner,
  defaultRunner,
  type QemuImgRunner,
  type RunOptions,
  type RunResult,
} from './qemu-img.js';
export { resizeImage, type ResizeRequest } from './resize.js';
export { checkBeforeQemu, type PreCheck } from './safety.js';
export {
  DEFAULT_LIMITS,
  DISK_FORMATS,
  IMAGE_FORMATS,
  qemuFormat,
  type DiskFormat,
  type ImageFormat,
  type ImageLibrary,
  type ImageLimits,
  type ImageProgress,
  type OnProgress,
} from './types.js';
