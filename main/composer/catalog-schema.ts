/**
 * The shape of the catalog files in resources/catalog. The catalog is data that people edit by
 * hand, so a unit test parses every file with these schemas (and checks cross-references); at
 * run time the bundled JSON is trusted, to keep compose() free of start-up parsing.
 */
import { z } from 'zod';
import { CatalogId } from '../../preload/spec.js';

export const PACKAGE_MANAGERS = [
  'apt',
  'dnf',
  'apk',
  'pacman',
  'zypper',
  'nix',
  'pkg',
  'pkg_add',
  'winget',
] as const;
export const PackageManager = z.enum(PACKAGE_MANAGERS);
export type PackageManager = z.infer<typeof PackageManager>;

/** Lower-case words as they are matched against a prompt (see normalize.ts). */
const Alias = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[a-z0-9][a-z0-9 .+/_-]*$/, 'aliases are lower-case, as the tokenizer sees them');

const VmImage = z.strictObject({
  url: z.url({ protocol: /^https$/ }),
  /** A signed or published checksum list; the image download verifies against it. */
  checksumUrl: z.url({ protocol: /^https$/ }),
  format: z.enum(['qcow2', 'raw']),
  compression: z.enum(['none', 'xz', 'gz', 'zst']),
  cloudInit: z.boolean(),
});

/** The distro's installer ISO, for installing by hand with the display open (no cloud-init). */
const InstallerIso = z.strictObject({
  /** The file name may hold one `*` for a point release; the newest file the checksum file
   * lists that matches it is downloaded (main/provisioning/file-pattern.ts). */
  url: z
    .url({ protocol: /^https$/ })
    .refine((u) => (u.split('/').pop() ?? '').split('*').length <= 2, {
      error: 'at most one * in the file name',
    }),
  checksumUrl: z.url({ protocol: /^https$/ }),
  /** What the ISO is, in the distro's words: "netinst", "live server", "minimal". */
  edition: z.string().min(1).max(40),
});

export const OsVersion = z.strictObject({
  version: z.string().min(1).max(40),
  codenames: z.array(Alias),
  support: z.enum(['current', 'lts', 'maintained', 'rolling', 'eol']),
  containerImage: z.string().min(1).max(255).nullable(),
  vmImage: VmImage.nullable(),
  installerIso: InstallerIso.optional(),
});
export type OsVersion = z.infer<typeof OsVersion>;

export const OsEntry = z.strictObject({
  id: CatalogId,
  name: z.string().min(1),
  aliases: z.array(Alias).min(1),
  /** Aliases that also pick a desktop ("kubuntu" is Ubuntu with KDE). */
  aliasDesktops: z.record(Alias, CatalogId).optional(),
  family: z.enum(['linux', 'bsd', 'windows']),
  packageManager: PackageManager,
  backends: z.array(z.enum(['qemu', 'docker'])).min(1),
  defaultVersion: z.string(),
  /** Whether people usually mean the desktop edition when they name it (Mint, Kali, Windows). */
  desktopTypical: z.boolean(),
  defaultDesktop: CatalogId.nullable(),
  minMemoryMiB: z.strictObject({
    headless: z.number().int().min(16),
    gui: z.number().int().min(16),
  }),
  versions: z.array(OsVersion).min(1),
});
export type OsEntry = z.infer<typeof OsEntry>;

export const OsCatalog = z.strictObject({
  defaultOs: CatalogId,
  oses: z.array(OsEntry).min(1),
  /** Operating systems people ask for that GenOS cannot run, with the reason to tell them. */
  unsupported: z.array(
    z.strictObject({ aliases: z.array(Alias).min(1), reason: z.string().min(10) }),
  ),
});
export type OsCatalog = z.infer<typeof OsCatalog>;

const Packages = z.strictObject(
  Object.fromEntries(
    PACKAGE_MANAGERS.map((m) => [m, z.array(z.string().min(1)).min(1).nullable()]),
  ) as Record<PackageManager, z.ZodNullable<z.ZodArray<z.ZodString>>>,
);

export const AppEntry = z.strictObject({
  id: CatalogId,
  name: z.string().min(1),
  aliases: z.array(Alias).min(1),
  /** Aliases that are ordinary words too ("go", "code", "docker"): they count only in a list of apps. */
  ambiguousAliases: z.array(Alias).optional(),
  gui: z.boolean(),
  category: z.string().min(1),
  packages: Packages,
  /** Per-OS package names where a distribution differs from its package manager's family. */
  osOverrides: z.record(CatalogId, z.array(z.string().min(1)).nullable()).optional(),
  /** Ports the app usually listens on (for "expose postgres"). */
  ports: z.array(z.number().int().min(1).max(65535)).optional(),
  note: z.string().optional(),
});
export type AppEntry = z.infer<typeof AppEntry>;

export const AppCatalog = z.strictObject({ apps: z.array(AppEntry).min(1) });

export const DesktopEntry = z.strictObject({
  id: CatalogId,
  name: z.string().min(1),
  aliases: z.array(Alias).min(1),
  lightweight: z.boolean(),
});
export type DesktopEntry = z.infer<typeof DesktopEntry>;

export const DesktopCatalog = z.strictObject({ desktops: z.array(DesktopEntry).min(1) });
