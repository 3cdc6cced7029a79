/**
 * Which image an environment runs: its spec's image source (a container reference, the catalog's
 * image for its OS, a library entry), plus — when it asks for apps — the derived image with
 * their packages. Used by both plan (no side effects) and create (pulls/builds as allowed).
 */
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import type { EnvRef, Progress } from '../backend.js';
import type { DockerEngine } from './engine.js';
import { buildDerived, planDerived, type Installer, type PackageMap } from './image-build.js';
import { ensureImage } from './images.js';

export type ImageSources = {
  /** The catalog's container image for an OS; default `<id>:<version>` (e.g. debian:12). */
  catalogImage?: (os: EnvironmentSpec['os']) => string;
  /** A library image id -> a local engine reference (the images layer); else UNSUPPORTED. */
  libraryImage?: (imageId: string) => Promise<string> | string;
  /** Pulling allowed now (online and permitted)? Default: no — offline first. */
  allowPull?: () => boolean;
  /** app -> packages per distro (the composer's catalog); needed when a spec lists apps. */
  packageMap?: PackageMap;
  installers?: Record<string, Installer>;
  /** Network for derived builds (package managers need one). Default: the engine's default. */
  buildNetwork?: 'default' | 'none';
  /** Labels put on derived images (tests mark theirs). */
  labels?: Record<string, string>;
};

export function defaultCatalogImage(os: EnvironmentSpec['os']): string {
  return `${os.id}:${os.version ?? 'latest'}`;
}

/** The base image reference for a spec (before any derived build). */
export async function baseImageRef(env: EnvRef, src: ImageSources): Promise<string> {
  const image = env.spec.image;
  switch (image.kind) {
    case 'container-image':
      return image.ref;
    case 'catalog':
      if (image.media === 'installer-iso')
        throw new GenosError(
          'UNSUPPORTED',
          'an installer ISO cannot run as a container: installing from an ISO needs the qemu backend',
        );
      return (src.catalogImage ?? defaultCatalogImage)(env.spec.os);
    case 'library':
      if (!src.libraryImage) {
        throw new GenosError(
          'UNSUPPORTED',
          `library image ${image.imageId} cannot run as a container: disk images are for the qemu backend; import a container tarball instead`,
        );
      }
      return src.libraryImage(image.imageId);
    case 'kernel':
      throw new GenosError(
        'UNSUPPORTED',
        'direct kernel boot is a qemu feature: containers share the host kernel',
      );
  }
}

function derivedRequest(env: EnvRef, src: ImageSources, baseImage: string) {
  if (!src.packageMap) {
    throw new GenosError(
      'UNSUPPORTED',
      `apps (${env.spec.apps.join(', ')}) cannot be installed yet: no package catalog is configured for containers. Remove the apps or use an image that has them.`,
    );
  }
  return {
    baseImage,
    distro: env.spec.os.id,
    apps: env.spec.apps,
    packageMap: src.packageMap,
    installers: src.installers,
    networkMode: src.buildNetwork ?? 'default',
    labels: src.labels,
  };
}

/** The image plan shows, without pulling or building; notes say what create will do. */
export async function planImage(
  engine: DockerEngine,
  env: EnvRef,
  src: ImageSources,
): Promise<{ image: string; notes: string[] }> {
  const base = await baseImageRef(env, src);
  if (env.spec.apps.length === 0) return { image: base, notes: [] };
  try {
    const plan = await planDerived(engine, derivedRequest(env, src, base));
    return {
      image: plan.tag,
      notes: [
        `Image ${plan.tag}: ${base} plus packages ${plan.packages.join(' ')} (built once, then cached).`,
      ],
    };
  } catch (e) {
    if (!(e instanceof GenosError) || e.code === 'BAD_ARGS') throw e;
    return { image: base, notes: [`Apps are not resolved yet: ${e.message}`] };
  }
}

/** The image create runs: present, pulled (when allowed) or built (derived). */
export async function prepareImage(
  engine: DockerEngine,
  env: EnvRef,
  src: ImageSources,
  progress: Progress,
  signal: AbortSignal,
): Promise<string> {
  const base = await baseImageRef(env, src);
  await ensureImage(engine, base, { allowPull: src.allowPull?.() ?? false, progress, signal });
  if (env.spec.apps.length === 0) return base;
  const built = await buildDerived(engine, derivedRequest(env, src, base), progress, signal);
  return built.ref;
}
