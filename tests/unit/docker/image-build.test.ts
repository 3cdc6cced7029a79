import { describe, expect, it } from 'vitest';
import {
  DEFAULT_INSTALLERS,
  derivedDockerfile,
  resolvePackages,
  type DerivedRequest,
} from '../../../main/backends/docker/image-build.js';
import { baseImageRef, defaultCatalogImage } from '../../../main/backends/docker/image-resolve.js';
import type { EnvironmentSpecInput } from '../../../preload/contract.js';
import { baseSpec } from '../../helpers/spec-fixture.js';

const req = (over: Partial<DerivedRequest> = {}): DerivedRequest => ({
  baseImage: 'debian:12',
  distro: 'debian',
  apps: ['firefox', 'git'],
  packageMap: {
    debian: { firefox: ['firefox-esr'], git: ['git', 'ca-certificates'], vim: ['vim'] },
  },
  ...over,
});
const BASE = 'sha256:' + 'a'.repeat(64);

describe('derived images', () => {
  it('resolves apps to sorted, unique packages of the distro', () => {
    expect(resolvePackages(req({ apps: ['git', 'firefox', 'git'] }))).toEqual([
      'ca-certificates',
      'firefox-esr',
      'git',
    ]);
  });

  it('refuses unknown apps, unknown distros and package names that could inject', () => {
    expect(() => resolvePackages(req({ apps: ['nope'] }))).toThrow(
      /no debian package known for: nope/,
    );
    expect(() => resolvePackages(req({ distro: 'gentoo' }))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
    const evil = req({ packageMap: { debian: { firefox: ['x; rm -rf /'], git: ['git'] } } });
    expect(() => resolvePackages(evil)).toThrow(/not a valid package name/);
  });

  it('generates a Dockerfile FROM the base id with an exec-form install step', () => {
    const plan = derivedDockerfile(req(), BASE);
    expect(plan.dockerfile.split('\n')[0]).toBe(`FROM ${BASE}`);
    expect(plan.dockerfile).toContain(
      'apt-get install -y --no-install-recommends ca-certificates firefox-esr git',
    );
    expect(plan.dockerfile).toMatch(/^RUN \["\/bin\/sh","-c",/m);
    expect(plan.tag).toMatch(/^genos-derived:[0-9a-f]{16}$/);
  });

  it('the cache tag is stable for the same inputs and changes with any of them', () => {
    const a = derivedDockerfile(req(), BASE).tag;
    expect(derivedDockerfile(req({ apps: ['git', 'firefox'] }), BASE).tag).toBe(a);
    expect(derivedDockerfile(req(), 'sha256:' + 'b'.repeat(64)).tag).not.toBe(a);
    expect(derivedDockerfile(req({ apps: ['git'] }), BASE).tag).not.toBe(a);
    const otherInstaller = { debian: (p: string[]) => ['apt', 'install', ...p] };
    expect(derivedDockerfile(req({ installers: otherInstaller }), BASE).tag).not.toBe(a);
  });

  it('knows apt, apk and dnf', () => {
    expect(DEFAULT_INSTALLERS.alpine!(['git'])).toEqual(['apk', 'add', '--no-cache', 'git']);
    expect(DEFAULT_INSTALLERS.fedora!(['git']).join(' ')).toMatch(/dnf install -y git/);
    expect(DEFAULT_INSTALLERS.ubuntu!(['git']).join(' ')).toMatch(/apt-get install/);
  });
});

describe('base image of a spec', () => {
  const spec = (
    image: unknown,
    os: { id: string; version: string | null } = { id: 'debian', version: '12' },
  ) =>
    baseSpec({
      name: 'x',
      backend: 'docker',
      os,
      resources: { cpus: 1, memoryMiB: 64, diskGiB: 1 },
      image: image as EnvironmentSpecInput['image'],
    });
  const env = (image: unknown, os?: { id: string; version: string | null }) => ({
    id: 'e1',
    spec: spec(image, os),
    handles: {},
  });

  it('container-image, catalog (default and injected), library, kernel', async () => {
    expect(await baseImageRef(env({ kind: 'container-image', ref: 'alpine:3.20' }), {})).toBe(
      'alpine:3.20',
    );
    expect(await baseImageRef(env({ kind: 'catalog' }), {})).toBe('debian:12');
    expect(defaultCatalogImage({ id: 'alpine', version: null })).toBe('alpine:latest');
    expect(
      await baseImageRef(env({ kind: 'catalog' }), { catalogImage: (os) => `mirror/${os.id}` }),
    ).toBe('mirror/debian');
    await expect(baseImageRef(env({ kind: 'library', imageId: 'img1' }), {})).rejects.toMatchObject(
      {
        code: 'UNSUPPORTED',
      },
    );
    expect(
      await baseImageRef(env({ kind: 'library', imageId: 'img1' }), {
        libraryImage: (id) => `lib/${id}`,
      }),
    ).toBe('lib/img1');
    await expect(
      baseImageRef(env({ kind: 'kernel', kernel: '/k', initrd: null, cmdline: '' }), {}),
    ).rejects.toThrow(/qemu feature/);
  });
});
