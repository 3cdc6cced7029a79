/**
 * Derived images: a base image plus the packages an environment's apps need, built from a
 * generated Dockerfile and cached under a tag that is a hash of what went into it (the base
 * image's id, the distro's install command, the packages), so the same request builds once.
 * Package names come from a map the caller passes (the composer's catalog), per distro.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GenosError } from '../../core/errors.js';
import type { Progress } from '../backend.js';
import type { DockerEngine } from './engine.js';
import { localImageId } from './images.js';
import { progressError, readJsonLines } from './json-lines.js';
import { DERIVED_REPO, LABEL_DERIVED } from './labels.js';
import { waysToGetImage } from './pull.js';

/** A distro's install step as exec-form argv (no shell parsing of package names by Docker). */
export type Installer = (packages: string[]) => string[];

const apt: Installer = (p) => [
  '/bin/sh',
  '-c',
  `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${p.join(' ')} && rm -rf /var/lib/apt/lists/*`,
];

export const DEFAULT_INSTALLERS: Record<string, Installer> = {
  debian: apt,
  ubuntu: apt,
  alpine: (p) => ['apk', 'add', '--no-cache', ...p],
  fedora: (p) => ['/bin/sh', '-c', `dnf install -y ${p.join(' ')} && dnf clean all`],
};

/** app id -> package names, per distro: { debian: { firefox: ['firefox-esr'] } }. */
export type PackageMap = Record<string, Record<string, string[]>>;

export type DerivedRequest = {
  baseImage: string;
  distro: string;
  apps: string[];
  packageMap: PackageMap;
  installers?: Record<string, Installer>;
  /** The build's network: package managers need one; 'none' for offline builds. */
  networkMode?: 'default' | 'none';
  labels?: Record<string, string>;
};

export type DerivedPlan = { tag: string; dockerfile: string; packages: string[]; baseId: string };

// Package names go into a shell line for apt/dnf: only characters package names use.
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9+._:=~-]*$/;

export function resolvePackages(
  req: Pick<DerivedRequest, 'distro' | 'apps' | 'packageMap'>,
): string[] {
  const table = req.packageMap[req.distro];
  if (!table)
    throw new GenosError(
      'UNSUPPORTED',
      `no package list for distro "${req.distro}": apps cannot be added to it yet`,
    );
  const missing = req.apps.filter((a) => !table[a]);
  if (missing.length) {
    throw new GenosError('BAD_ARGS', `no ${req.distro} package known for: ${missing.join(', ')}`);
  }
  const pkgs = [...new Set(req.apps.flatMap((a) => table[a]!))].sort();
  const bad = pkgs.find((p) => !PACKAGE.test(p));
  if (bad) throw new GenosError('BAD_ARGS', `"${bad}" is not a valid package name`);
  return pkgs;
}

/** The Dockerfile and its cache tag. Pure given the base image's id. */
export function derivedDockerfile(req: DerivedRequest, baseId: string): DerivedPlan {
  const packages = resolvePackages(req);
  const installer = (req.installers ?? DEFAULT_INSTALLERS)[req.distro];
  if (!installer)
    throw new GenosError('UNSUPPORTED', `no install command known for distro "${req.distro}"`);
  const run = installer(packages);
  const hash = createHash('sha256')
    .update(JSON.stringify({ baseId, distro: req.distro, packages, run }))
    .digest('hex')
    .slice(0, 16);
  // FROM the id, not the tag: the hash promises this exact base, even if the tag moves.
  const dockerfile = [
    `FROM ${baseId}`,
    `LABEL ${LABEL_DERIVED}=${JSON.stringify(hash)}`,
    `RUN ${JSON.stringify(run)}`,
    '',
  ].join('\n');
  return { tag: `${DERIVED_REPO}:${hash}`, dockerfile, packages, baseId };
}

const STEP = /^(?:Step|STEP) (\d+)\/(\d+)\s*:?\s*(.*)$/;

/** Runs a build from a context dir (files listed), reporting "Step n/m" as progress. */
export async function buildFromContext(
  engine: DockerEngine,
  dir: string,
  files: string[],
  opts: { tag: string; labels?: Record<string, string>; networkMode?: string },
  progress: Progress,
  signal: AbortSignal,
): Promise<string> {
  let imageId: string | null = null;
  let steps = 1;
  const tail: string[] = [];
  await engine.run(`build image ${opts.tag}`, async (docker) => {
    const res = await docker.buildImage(
      { context: dir, src: files },
      {
        t: opts.tag,
        rm: true,
        forcerm: true,
        ...(opts.labels ? { labels: opts.labels } : {}),
        ...(opts.networkMode ? { networkmode: opts.networkMode } : {}),
        abortSignal: signal,
      },
    );
    await readJsonLines(
      res,
      (o) => {
        const err = progressError(o);
        if (err) {
          throw new GenosError('BAD_ARGS', `building ${opts.tag} failed: ${err}\n${tail.join('')}`);
        }
        if (typeof o.stream === 'string') {
          tail.push(o.stream);
          if (tail.length > 20) tail.shift();
          const m = STEP.exec(o.stream.trim());
          if (m) {
            steps = Number(m[2]);
            // Step n is starting: n-1 are done.
            progress({ stage: 'build', done: Number(m[1]) - 1, total: steps, message: m[3] });
          }
        }
        const aux = o.aux as { ID?: unknown } | undefined;
        if (typeof aux?.ID === 'string') imageId = aux.ID;
      },
      signal,
    );
  });
  if (signal.aborted) throw new GenosError('CANCELLED', `build of ${opts.tag} cancelled`);
  const id = imageId ?? (await localImageId(engine, opts.tag));
  if (!id) throw new GenosError('INTERNAL', `the build of ${opts.tag} ended without an image`);
  progress({ stage: 'build', done: steps, total: steps, message: 'done' });
  return id;
}

export type DerivedResult = { ref: string; id: string; cached: boolean; packages: string[] };

export async function planDerived(engine: DockerEngine, req: DerivedRequest): Promise<DerivedPlan> {
  const baseId = await localImageId(engine, req.baseImage);
  if (!baseId) {
    throw new GenosError(
      'NOT_FOUND',
      `The base image ${req.baseImage} is not on this machine. ${waysToGetImage(req.baseImage)}`,
    );
  }
  return derivedDockerfile(req, baseId);
}

/** Builds the derived image unless an image with its hash tag is already here (a cache hit). */
export async function buildDerived(
  engine: DockerEngine,
  req: DerivedRequest,
  progress: Progress,
  signal: AbortSignal,
): Promise<DerivedResult> {
  const plan = await planDerived(engine, req);
  const existing = await localImageId(engine, plan.tag);
  if (existing) return { ref: plan.tag, id: existing, cached: true, packages: plan.packages };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-build-'));
  try {
    await fs.writeFile(path.join(dir, 'Dockerfile'), plan.dockerfile);
    const id = await buildFromContext(
      engine,
      dir,
      ['Dockerfile'],
      {
        tag: plan.tag,
        labels: req.labels,
        networkMode: req.networkMode === 'none' ? 'none' : undefined,
      },
      progress,
      signal,
    );
    return { ref: plan.tag, id, cached: false, packages: plan.packages };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
