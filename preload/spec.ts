/**
 * EnvironmentSpec: what one environment is, whichever way it was made (a prompt, a recipe, the
 * UI's editor). Part of the contract (re-exported by contract.ts); pure zod like it.
 */
import { z } from 'zod';

export const Backend = z.enum(['qemu', 'docker']);
export type Backend = z.infer<typeof Backend>;

export const NetworkMode = z.enum(['nat', 'isolated', 'none']);
export type NetworkMode = z.infer<typeof NetworkMode>;

const Port = z.number().int().min(1).max(65535);

export const PortForward = z.strictObject({
  host: Port,
  guest: Port,
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
});
export type PortForward = z.infer<typeof PortForward>;

/** Lower-case ids like "ubuntu", "debian", "windows", "vscode": catalog keys, never free text. */
export const CatalogId = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9._+-]*$/, 'catalog ids are lower-case letters, digits, . _ + -');

export const EnvironmentName = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'names are lower-case letters, digits and -, starting with a letter or digit',
  );

/** Where the environment's system comes from. */
export const ImageSource = z.discriminatedUnion('kind', [
  /**
   * The OS catalog's image for `os` (a cloud image for VMs, an image reference for containers).
   * media installer-iso (VMs): the distro's installer ISO instead, downloaded like a cloud
   * image and booted onto a blank disk with the display open; no cloud-init.
   */
  z.strictObject({
    kind: z.literal('catalog'),
    media: z.literal('installer-iso').optional(),
  }),
  /** A disk image or ISO in the image library, by its id. */
  z.strictObject({
    kind: z.literal('library'),
    imageId: z.string().min(1).max(64),
    /** A second library ISO attached as a cdrom (e.g. Windows' virtio drivers); never booted. */
    driversImageId: z.string().min(1).max(64).optional(),
  }),
  /** A container image reference, e.g. "alpine:3.20" or a local image id. */
  z.strictObject({ kind: z.literal('container-image'), ref: z.string().min(1).max(255) }),
  /** Direct kernel boot (kernel work, test guests). Paths are re-checked in main before use. */
  z.strictObject({
    kind: z.literal('kernel'),
    kernel: z.string().min(1).max(4096),
    initrd: z.string().min(1).max(4096).nullable(),
    cmdline: z.string().max(4096),
  }),
]);
export type ImageSource = z.infer<typeof ImageSource>;

/** A VM or container from the catalog's ready-made image (for VMs: cloud-init's first boot). */
export function isCloudImage(image: ImageSource): boolean {
  return image.kind === 'catalog' && image.media !== 'installer-iso';
}

/** A VM installed by hand from the catalog's installer ISO. */
export function isCatalogInstaller(image: ImageSource): boolean {
  return image.kind === 'catalog' && image.media === 'installer-iso';
}

export const HealthCheck = z.strictObject({
  kind: z.enum(['command', 'tcp', 'file']),
  /** argv for `command` (run in the guest/container), never a shell string. */
  command: z.array(z.string().max(4096)).max(64).optional(),
  port: Port.optional(),
  path: z.string().max(4096).optional(),
  intervalSec: z.number().int().min(1).max(3600).default(10),
  timeoutSec: z.number().int().min(1).max(600).default(5),
  retries: z.number().int().min(1).max(100).default(3),
});
export type HealthCheck = z.infer<typeof HealthCheck>;

/** Container hardening; every relaxation is explicit so the UI can say so. */
export const Hardening = z.strictObject({
  readOnlyRoot: z.boolean().default(false),
  capAdd: z
    .array(z.string().regex(/^[A-Z_]+$/))
    .max(40)
    .default([]),
  noNewPrivileges: z.boolean().default(true),
  pidsLimit: z.number().int().min(16).max(1_000_000).default(512),
});
export type Hardening = z.infer<typeof Hardening>;

export const EnvironmentSpec = z.strictObject({
  name: EnvironmentName,
  backend: Backend,
  os: z.strictObject({ id: CatalogId, version: z.string().min(1).max(40).nullable() }),
  resources: z.strictObject({
    cpus: z.number().int().min(1).max(256),
    memoryMiB: z
      .number()
      .int()
      .min(16)
      .max(4 * 1024 * 1024),
    diskGiB: z
      .number()
      .int()
      .min(1)
      .max(64 * 1024),
  }),
  network: z.strictObject({ mode: NetworkMode, ports: z.array(PortForward).max(64) }),
  display: z.enum(['gui', 'headless']),
  /** A desktop environment id ("gnome", "xfce", ...) when display is gui; null picks the OS default. */
  desktop: CatalogId.nullable(),
  apps: z.array(CatalogId).max(64),
  count: z.number().int().min(1).max(64),
  ephemeral: z.boolean(),
  image: ImageSource,
  healthCheck: HealthCheck.nullable(),
  restartPolicy: z.enum(['never', 'on-failure', 'always']),
  /** Names (or capabilities) of environments this one needs running first (stacks). */
  requires: z.array(z.string().min(1).max(63)).max(32),
  hardening: Hardening,
  /** VM firmware: SeaBIOS (default) or UEFI (Debian's ovmf; Windows 11 needs it). */
  firmware: z.enum(['bios', 'uefi']).optional(),
  /** UEFI Secure Boot (Microsoft keys enrolled); needs firmware "uefi". */
  secureBoot: z.boolean().optional(),
  /** A TPM 2.0 (swtpm) for the VM, as Windows 11 requires. */
  tpm: z.boolean().optional(),
  /**
   * An ISO install has finished: the VM boots its disk and the installer ISO (still `image`) is
   * no longer attached. Set by finishInstall.
   */
  installed: z.boolean().optional(),
  /** Stop it after a while, or when idle (sandboxes that should not linger). Absent: no limit. */
  lifetime: z
    .strictObject({
      ttlMinutes: z.number().int().min(1).max(525_600).nullable(),
      /** Capped by the metrics history (720 samples x 5 s). */
      idleStopMinutes: z.number().int().min(1).max(60).nullable(),
      idleCpuPercent: z.number().min(0).max(100).default(2),
    })
    .optional(),
});
export type EnvironmentSpec = z.infer<typeof EnvironmentSpec>;
export type EnvironmentSpecInput = z.input<typeof EnvironmentSpec>;
