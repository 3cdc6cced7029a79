import type { ImageFormat } from '../store/images-repo.js';

/** The formats GenOS imports and records; 'iso' is raw bytes used as a CD-ROM. */
export type { ImageFormat };
export const IMAGE_FORMATS: readonly ImageFormat[] = ['qcow2', 'raw', 'vdi', 'vhdx', 'vmdk', 'iso'];

/** The formats qemu-img writes for GenOS (convert/export targets). */
export type DiskFormat = Exclude<ImageFormat, 'iso'>;
export const DISK_FORMATS: readonly DiskFormat[] = ['qcow2', 'raw', 'vdi', 'vhdx', 'vmdk'];

/** What qemu itself calls the format: an ISO is opened as raw. */
export function qemuFormat(format: ImageFormat): DiskFormat {
  return format === 'iso' ? 'raw' : format;
}

/**
 * Where images may point. A backing file, an external data file or a VMDK extent must resolve
 * (after symlinks) inside `dir`, or be one of `referenced`: files the user imported by reference,
 * which live outside the library but are images GenOS already accepted.
 */
export type ImageLibrary = {
  dir: string;
  referenced?: readonly string[];
};

export type ImageLimits = {
  /** Largest virtual size accepted, in bytes. */
  maxVirtualSize: number;
};

/** 4 TiB: more than any sandbox needs, small enough to stop a sparse-file trick filling a disk. */
export const DEFAULT_LIMITS: ImageLimits = { maxVirtualSize: 4 * 1024 ** 4 };

/**
 * Progress of long image work. Structurally the backends' Progress payload, so either can be
 * passed where the other is expected. done/total are bytes (copy, hash) or percent (convert).
 */
export type ImageProgress = {
  stage: 'copy' | 'hash' | 'inspect' | 'convert';
  done: number;
  total: number;
  message?: string;
};
export type OnProgress = (p: ImageProgress) => void;
