/**
 * The one API between the renderer and the core. Every call and event is named here with a
 * runtime schema; the TypeScript types are derived from the schemas so the two cannot drift.
 * Pure TypeScript + zod: no Electron, no Node — this file is bundled into the sandboxed preload,
 * the renderer and main alike.
 */
import { z } from 'zod';
import { Backend, EnvironmentSpec } from './spec.js';
import { ComposeArgs, ComposeResult } from './compose.js';

export * from './spec.js';
export * from './compose.js';

// ---------------------------------------------------------------------------------------------
// Errors

export const ERROR_CODES = [
  'BAD_ARGS', // the arguments did not match the call's schema
  'NOT_FOUND', // the target (environment, image, ...) does not exist
  'CONFLICT', // the target is in a state that does not allow the action
  'UNAVAILABLE', // a backend or host facility is missing or not answering
  'FORBIDDEN', // the caller may not make this call (sender, token, origin)
  'UNSUPPORTED', // a valid request this host or version cannot do
  'CANCELLED', // the user cancelled long work
  'INTERNAL', // a bug: the message says what failed, the log has the detail
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorShape = z.object({ code: ErrorCode, message: z.string() });
export type ApiErrorShape = z.infer<typeof ApiErrorShape>;

/** Every reply is exactly one of these two. */
export type Envelope<T> =
  { result: T; error?: undefined } | { error: ApiErrorShape; result?: undefined };

// ---------------------------------------------------------------------------------------------
// Shared value schemas

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, - and _');
const IsoTime = z.string();
const LogSince = z.iso.datetime({
  offset: true,
  error: 'since is an ISO time, e.g. 2026-01-02T03:04:05Z',
});
const LogSinceSec = z
  .number()
  .int()
  .min(1)
  .max(10 * 365 * 86400);

export const EnvironmentState = z.enum([
  'draft',
  'provisioning',
  'starting',
  'running',
  'degraded',
  'paused',
  'stopping',
  'stopped',
  'failed',
  'deleting',
]);
export type EnvironmentState = z.infer<typeof EnvironmentState>;

/** How far a catalog VM's provisioning has come, in order; the last one reached is shown. */
export const ProvisionStage = z.enum([
  'downloading',
  'preparing-disk',
  'first-boot',
  'installing-packages',
  'ready',
]);
export type ProvisionStage = z.infer<typeof ProvisionStage>;

export const ProvisionStatus = z.object({
  stage: ProvisionStage,
  /** This stage failed; the message says why and where the console log is. */
  failed: z.boolean(),
  message: z.string(),
  at: IsoTime,
  /** Bytes so far / in all, while downloading. */
  done: z.number().nullable(),
  total: z.number().nullable(),
});
export type ProvisionStatus = z.infer<typeof ProvisionStatus>;

export const EnvironmentSummary = z.object({
  id: Id,
  name: z.string(),
  backend: Backend,
  state: EnvironmentState,
  stateReason: z.string().nullable(),
  /** The spec as composed; its schema is owned by the composer and validated there. */
  spec: z.record(z.string(), z.unknown()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  /** A catalog VM's provisioning (download -> disk -> first boot -> packages -> ready); else null. */
  provision: ProvisionStatus.nullable().optional(),
});
export type EnvironmentSummary = z.infer<typeof EnvironmentSummary>;

export const AuditEvent = z.object({
  seq: z.number().int(),
  at: IsoTime,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'error', 'info']),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

const HttpUrl = z.url({ protocol: /^https?$/ });
export const DownloadMirror = z.strictObject({
  prefix: HttpUrl,
  mirrors: z.array(HttpUrl).min(1).max(10),
});
export type DownloadMirror = z.infer<typeof DownloadMirror>;

const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/** The key blob starts with its own type name (RFC 4253 string): a pasted fragment fails here. */
function sshBlobMatches(line: string): boolean {
  const [type, data] = line.split(' ');
  try {
    const raw = atob(data ?? '');
    const len =
      ((raw.charCodeAt(0) << 24) | (raw.charCodeAt(1) << 16) | (raw.charCodeAt(2) << 8)) +
      raw.charCodeAt(3);
    return raw.slice(4, 4 + len) === type;
  } catch {
    return false;
  }
}

/** One OpenSSH public key line: `<type> <base64> [comment]`, as in ~/.ssh/id_ed25519.pub. */
export const SshPublicKey = z
  .string()
  .trim()
  .max(16 * 1024)
  .regex(
    /^[a-z0-9@.-]+ [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/,
    'paste one OpenSSH public key line: "ssh-ed25519 AAAA... comment" (the .pub file, not the private key)',
  )
  .refine((s) => SSH_KEY_TYPES.includes(s.split(' ')[0]!), {
    error: `the key type must be one of ${SSH_KEY_TYPES.join(', ')}`,
  })
  .refine(sshBlobMatches, { error: 'the key data is damaged or does not match its type' });

export const Settings = z.object({
  theme: z.enum(['system', 'light', 'dark']),
  defaultNetworkMode: z.enum(['nat', 'isolated', 'none']),
  /** Share of host RAM that running environments may use together (admission control). */
  admissionMemoryShare: z.number().min(0.1).max(1),
  /** How far CPUs may be overcommitted (sum of vCPUs / host CPUs). */
  cpuOvercommit: z.number().min(1).max(16),
  /** Optional LLM endpoint for the composer; null keeps composing fully offline. */
  llmEndpoint: z.url({ protocol: /^https?$/ }).nullable(),
  /** OS image downloads: a URL starting with `prefix` is also tried at each mirror (same rest). */
  downloadMirrors: z.array(DownloadMirror).max(50),
  /** An HTTP proxy for OS image downloads (https goes through CONNECT); null: direct. */
  downloadProxy: z.url({ protocol: /^http$/, error: 'the proxy is an http:// URL' }).nullable(),
  /** Put into new VMs' authorized_keys by cloud-init; null: password login only. */
  sshPublicKey: SshPublicKey.nullable(),
  /**
   * A container image that is not on this machine is pulled from its registry when the
   * environment is created; off keeps GenOS offline (import or load images yourself).
   */
  pullImages: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;

const Missing = z.object({ what: z.string(), why: z.string(), install: z.string() });

export const HostInfo = z.object({
  probedAt: IsoTime,
  os: z.object({ platform: z.string(), release: z.string(), arch: z.string() }),
  cpu: z.object({ count: z.number().int(), model: z.string() }),
  memory: z.object({ totalMiB: z.number(), freeMiB: z.number() }),
  disk: z.object({ path: z.string(), totalMiB: z.number(), freeMiB: z.number() }).nullable(),
  qemu: z.object({
    systems: z.array(z.object({ arch: z.string(), path: z.string(), version: z.string() })),
    img: z.object({ path: z.string(), version: z.string() }).nullable(),
  }),
  accel: z.object({
    kvm: z.object({
      devicePresent: z.boolean(),
      usable: z.boolean(),
      /** Why KVM is or is not used, in words a user can act on. */
      reason: z.string(),
    }),
    selected: z.enum(['kvm', 'tcg', 'none']),
  }),
  engine: z.object({
    kind: z.enum(['docker', 'podman']).nullable(),
    endpoint: z.string().nullable(),
    version: z.string().nullable(),
    apiVersion: z.string().nullable(),
    tried: z.array(z.object({ endpoint: z.string(), error: z.string() })),
  }),
  missing: z.array(Missing),
});
export type HostInfo = z.infer<typeof HostInfo>;

export const AppInfo = z.object({
  name: z.literal('genos'),
  version: z.string(),
  dataDir: z.string(),
  pid: z.number().int(),
  startedAt: IsoTime,
  mode: z.enum(['electron', 'serve', 'cli']),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** The exact launch a backend will make, shown before it happens (dry run). */
export const LaunchPlan = z.discriminatedUnion('backend', [
  z.object({
    backend: z.literal('qemu'),
    binary: z.string(),
    argv: z.array(z.string()),
    runtimeDir: z.string(),
    notes: z.array(z.string()),
  }),
  z.object({
    backend: z.literal('docker'),
    image: z.string(),
    createOptions: z.record(z.string(), z.unknown()),
    notes: z.array(z.string()),
  }),
]);
export type LaunchPlan = z.infer<typeof LaunchPlan>;

export const TaskInfo = z.object({
  id: z.string(),
  /** What kind of long work: image.import, image.convert, env.start, ... */
  kind: z.string(),
  title: z.string(),
  target: z.string().nullable(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  stage: z.string().nullable(),
  /** Progress so far, in the stage's unit (bytes, percent); null when unknown. */
  done: z.number().nullable(),
  total: z.number().nullable(),
  message: z.string().nullable(),
  startedAt: IsoTime,
  endedAt: IsoTime.nullable(),
  error: ApiErrorShape.nullable(),
  /** What the work produced (e.g. the image record), once done. */
  result: z.unknown().optional(),
});
export type TaskInfo = z.infer<typeof TaskInfo>;

const SnapshotName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'snapshot names are letters, digits, . _ -');

export const Snapshot = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  createdAt: IsoTime,
  sizeBytes: z.number().nullable(),
  /** Why it differs from what was asked (a container's live snapshot taken as a commit). */
  note: z.string().nullable().optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

const RecipeFileName = z
  .string()
  .min(1)
  .max(255)
  .regex(/\.(json|ya?ml|genos)$/i, 'a recipe file name ends in .json, .yaml or .yml');

export const RecipeShape = z.object({
  genosRecipe: z.literal(1),
  prompt: z.string().optional(),
  environments: z.array(EnvironmentSpec),
});
export type RecipeShape = z.infer<typeof RecipeShape>;

/** One sample of an environment's resource use (network/disk counters are totals since start). */
export const MetricSample = z.object({
  at: IsoTime,
  cpuPercent: z.number(),
  memoryBytes: z.number(),
  memoryLimitBytes: z.number().nullable(),
  netRxBytes: z.number(),
  netTxBytes: z.number(),
  blockReadBytes: z.number(),
  blockWriteBytes: z.number(),
});
export type MetricSample = z.infer<typeof MetricSample>;

/** What may change on a stopped environment; it takes effect at the next start. */
export const EnvironmentPatch = z.strictObject({
  resources: EnvironmentSpec.shape.resources.partial().optional(),
  network: EnvironmentSpec.shape.network.partial().optional(),
  restartPolicy: EnvironmentSpec.shape.restartPolicy.optional(),
});
export type EnvironmentPatch = z.infer<typeof EnvironmentPatch>;

export const ImageFormat = z.enum(['qcow2', 'raw', 'vdi', 'vhdx', 'vmdk', 'iso']);
export type ImageFormat = z.infer<typeof ImageFormat>;

export const ImageRecord = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  format: ImageFormat,
  virtualSize: z.number(),
  actualSize: z.number(),
  source: z.string().nullable(),
  sha256: z.string().nullable(),
  createdAt: IsoTime,
  /** Environments whose spec uses this image. */
  usedBy: z.array(z.string()),
});
export type ImageRecord = z.infer<typeof ImageRecord>;

const HostPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'a path cannot contain NUL');

/** An OS/version of the catalog (or the user's catalog.local.json) that has a VM image. */
const CatalogImageRef = z.strictObject({
  osId: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[a-z0-9][a-z0-9._+-]*$/, 'OS ids are lower-case, like "debian"'),
  version: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'versions are letters, digits, . _ + -'),
  /** cloud-image (the default): a ready system with cloud-init; installer-iso: the distro's
   * installer, for installing by hand with the display open. */
  media: z.enum(['cloud-image', 'installer-iso']).default('cloud-image'),
});

export const CatalogImage = z.object({
  osId: z.string(),
  version: z.string(),
  media: z.enum(['cloud-image', 'installer-iso']),
  name: z.string(),
  /** builtin: resources/catalog; local: <dataDir>/catalog.local.json (overrides builtin). */
  origin: z.enum(['builtin', 'local']),
  url: z.string(),
  format: z.string(),
  compression: z.string(),
  cloudInit: z.boolean(),
  /** How a download is checked: a digest pinned in the entry, the distro's checksum file, or not. */
  checksumSource: z.enum(['pinned', 'checksum-file', 'none']),
  /** The file to drop in (genos images add-base, or Add base… in the UI) when offline. */
  dropFile: z.string(),
  state: z.enum(['cached', 'partial', 'absent']),
  cached: z
    .object({
      path: z.string(),
      bytes: z.number(),
      checksum: z.object({ algo: z.string(), hex: z.string() }),
      /** verified: matched the catalog's digest; otherwise nothing to check it against: a file
       * the user added (user-supplied), or a download of an entry without a checksum. */
      trust: z.enum(['verified', 'user-supplied', 'unverified']),
      addedAt: IsoTime,
    })
    .nullable(),
  partial: z.object({ bytesDone: z.number(), total: z.number().nullable() }).nullable(),
  /** Environments whose disk overlay sits on this base (it cannot be removed meanwhile). */
  usedBy: z.array(z.string()),
  /** The running download or add-base task, if any. */
  taskId: z.string().nullable(),
});
export type CatalogImage = z.infer<typeof CatalogImage>;

// ---------------------------------------------------------------------------------------------
// Calls: name -> { args, result }. Every call takes exactly one object, strict, so stray or
// misspelled fields are refused rather than ignored.

function call<A extends z.ZodType, R extends z.ZodType>(args: A, result: R) {
  return { args, result };
}

const NoArgs = z.strictObject({});

export const calls = {
  ping: call(NoArgs, z.object({ pong: z.literal(true), at: IsoTime })),
  appInfo: call(NoArgs, AppInfo),
  hostInfo: call(z.strictObject({ refresh: z.boolean().optional() }), HostInfo),
  listEnvironments: call(
    z.strictObject({
      limit: z.number().int().min(1).max(500).optional(),
      /** Opaque cursor from the previous page's `next`. */
      cursor: z.string().max(200).optional(),
      state: EnvironmentState.optional(),
    }),
    z.object({
      items: z.array(EnvironmentSummary),
      next: z.string().nullable(),
      total: z.number(),
    }),
  ),
  getEnvironment: call(z.strictObject({ id: Id }), EnvironmentSummary),
  /** The login cloud-init made in a catalog VM (kept only in the data dir) and its SSH forward. */
  getCredentials: call(
    z.strictObject({ id: Id }),
    z.object({ user: z.string(), password: z.string(), sshPort: z.number().int().nullable() }),
  ),
  listAuditEvents: call(
    z.strictObject({
      limit: z.number().int().min(1).max(1000).optional(),
      beforeSeq: z.number().int().min(1).optional(),
      target: z.string().max(200).optional(),
    }),
    z.object({ items: z.array(AuditEvent) }),
  ),
  /**
   * Sentence -> spec, offline and deterministic (an LLM endpoint, when set, may fill defaults).
   * A stack prompt also returns `environments` (each with `requires`), to launch with upStack.
   */
  compose: call(ComposeArgs, ComposeResult),
  /** Reads a recipe file the user picked (its name and text); errors say what is wrong where. */
  readRecipe: call(
    z.strictObject({ fileName: RecipeFileName, text: z.string().max(1024 * 1024) }),
    RecipeShape,
  ),
  /** The text of a recipe file for these environments, in the format the file name asks for. */
  writeRecipe: call(
    z.strictObject({
      fileName: RecipeFileName,
      prompt: z.string().max(4000).optional(),
      environments: z.array(EnvironmentSpec).min(1).max(64),
    }),
    z.object({ text: z.string() }),
  ),
  createEnvironment: call(
    z.strictObject({ spec: EnvironmentSpec, start: z.boolean().optional() }),
    z.object({ items: z.array(EnvironmentSummary) }),
  ),
  /** Several environments from one recipe or prompt, started in dependency order (`requires`). */
  upStack: call(
    z.strictObject({
      environments: z.array(EnvironmentSpec).min(1).max(32),
      start: z.boolean().optional(),
    }),
    z.object({
      stackId: z.string(),
      items: z.array(
        z.object({
          env: EnvironmentSummary,
          outcome: z.enum(['running', 'failed', 'skipped', 'created']),
          reason: z.string().nullable(),
        }),
      ),
    }),
  ),
  planEnvironment: call(z.strictObject({ spec: EnvironmentSpec }), LaunchPlan),
  /** Changes a stopped environment's resources, network or restart policy (see EnvironmentPatch). */
  updateEnvironment: call(
    z.strictObject({ id: Id, patch: EnvironmentPatch }),
    z.object({
      env: EnvironmentSummary,
      /** Dotted paths of the fields that changed, e.g. "resources.memoryMiB". */
      changed: z.array(z.string()),
      /** What the change means, e.g. that a container is made again at its next start. */
      notes: z.array(z.string()),
    }),
  ),
  startEnvironment: call(z.strictObject({ id: Id }), EnvironmentSummary),
  stopEnvironment: call(
    z.strictObject({ id: Id, timeoutSec: z.number().int().min(1).max(3600).optional() }),
    EnvironmentSummary,
  ),
  killEnvironment: call(z.strictObject({ id: Id }), EnvironmentSummary),
  pauseEnvironment: call(z.strictObject({ id: Id }), EnvironmentSummary),
  resumeEnvironment: call(z.strictObject({ id: Id }), EnvironmentSummary),
  restartEnvironment: call(z.strictObject({ id: Id }), EnvironmentSummary),
  deleteEnvironment: call(z.strictObject({ id: Id }), z.object({ deleted: z.literal(true) })),
  cancelOperation: call(z.strictObject({ id: Id }), z.object({ cancelled: z.boolean() })),
  /** A one-time ticket for the environment's display (noVNC connects to url?token=...). */
  openDisplay: call(
    // protocol: VNC (default, noVNC) or SPICE (spice-html5; its token opens a few channels).
    z.strictObject({ id: Id, protocol: z.enum(['vnc', 'spice']).optional() }),
    z.discriminatedUnion('protocol', [
      z.object({
        protocol: z.literal('vnc'),
        url: z.string(),
        token: z.string(),
        expiresAt: z.number(),
      }),
      z.object({
        protocol: z.literal('spice'),
        url: z.string(),
        token: z.string(),
        expiresAt: z.number(),
      }),
      z.object({ protocol: z.literal('none'), reason: z.string() }),
    ]),
  ),
  /**
   * A one-time ticket for a terminal: the VM's serial console, or in a container a new shell
   * (mode "shell", the default) or the main process's own TTY (mode "attach"). Mode "ssh": the
   * system ssh client in a pty, logged into a catalog VM with the environment's own key.
   */
  openTerminal: call(
    z.strictObject({ id: Id, mode: z.enum(['shell', 'attach', 'ssh']).optional() }),
    z.object({ url: z.string(), token: z.string(), expiresAt: z.number() }),
  ),
  /** Whether openTerminal mode "ssh" can work now, and if not, why (shown beside the choice). */
  getSshAccess: call(
    z.strictObject({ id: Id }),
    z.discriminatedUnion('available', [
      z.object({ available: z.literal(true), port: z.number().int(), user: z.string() }),
      z.object({ available: z.literal(false), reason: z.string() }),
    ]),
  ),
  /** since (ISO time) or sinceSec (seconds back from now): containers only. */
  consoleLog: call(
    z.strictObject({
      id: Id,
      maxBytes: z
        .number()
        .int()
        .min(1)
        .max(16 * 1024 * 1024)
        .optional(),
      since: LogSince.optional(),
      sinceSec: LogSinceSec.optional(),
    }),
    z.object({ text: z.string() }),
  ),
  /**
   * A one-time ticket for following the console log: a read-only WebSocket that sends the recent
   * output (or what came after since/sinceSec, containers only), then new output as it comes, and
   * closes when the environment stops. tail: how many recent lines first (containers; default
   * 200); a VM replays its console buffer.
   */
  openLogStream: call(
    z.strictObject({
      id: Id,
      since: LogSince.optional(),
      sinceSec: LogSinceSec.optional(),
      tail: z.number().int().min(0).max(100_000).optional(),
    }),
    z.object({ url: z.string(), token: z.string(), expiresAt: z.number() }),
  ),
  /** Grows a stopped VM's disk to sizeGiB (never shrinks); the spec's diskGiB follows. */
  resizeDisk: call(
    z.strictObject({
      id: Id,
      sizeGiB: z
        .number()
        .int()
        .min(1)
        .max(64 * 1024),
    }),
    EnvironmentSummary,
  ),
  /**
   * An ISO environment's installation is done: from now on it boots its disk and the installer
   * ISO is detached (ejected at once when the VM runs). spec.installed records it.
   */
  finishInstall: call(
    z.strictObject({ id: Id }),
    z.object({ env: EnvironmentSummary, ejected: z.boolean() }),
  ),
  listSnapshots: call(z.strictObject({ id: Id }), z.object({ items: z.array(Snapshot) })),
  createSnapshot: call(
    z.strictObject({
      id: Id,
      name: SnapshotName,
      /** live: RAM + devices (VMs, resumes where it was); disk: disk only; commit: a container image. */
      kind: z.enum(['live', 'disk', 'commit']),
    }),
    Snapshot,
  ),
  restoreSnapshot: call(
    z.strictObject({ id: Id, name: SnapshotName }),
    z.object({ restored: z.literal(true) }),
  ),
  deleteSnapshot: call(
    z.strictObject({ id: Id, name: SnapshotName }),
    z.object({ deleted: z.literal(true) }),
  ),
  /** The recent samples kept for an environment (a bounded ring; newest last). */
  getMetrics: call(z.strictObject({ id: Id }), z.object({ items: z.array(MetricSample) })),
  listTasks: call(NoArgs, z.object({ items: z.array(TaskInfo) })),
  cancelTask: call(
    z.strictObject({ id: z.string().min(1).max(64) }),
    z.object({ cancelled: z.boolean() }),
  ),
  listImages: call(NoArgs, z.object({ items: z.array(ImageRecord) })),
  /** Long work: returns at once with the task; progress and the result arrive as taskUpdated. */
  importImage: call(
    z.strictObject({
      /** A file the user chose or dropped; main re-checks it (regular file, readable, safe). */
      path: HostPath,
      mode: z.enum(['copy', 'reference']),
      format: ImageFormat.optional(),
      name: z.string().min(1).max(200).optional(),
    }),
    z.object({ task: TaskInfo }),
  ),
  /** Serve mode: imports a file the page streamed to PUT /upload (by copy; the upload is then removed). */
  importUpload: call(
    z.strictObject({
      uploadId: z.uuid(),
      name: z.string().min(1).max(200),
      format: ImageFormat.optional(),
    }),
    z.object({ task: TaskInfo }),
  ),
  listContainerImages: call(
    NoArgs,
    z.object({
      items: z.array(
        z.object({
          id: z.string(),
          tags: z.array(z.string()),
          sizeBytes: z.number(),
          createdAt: IsoTime,
        }),
      ),
    }),
  ),
  /** Offline: a `docker save` tarball (docker load) or a root filesystem tarball (docker import). */
  importContainerImage: call(
    z.strictObject({
      path: HostPath,
      kind: z.enum(['docker-save', 'rootfs']),
      /** For a rootfs: the repository:tag to give it. */
      tag: z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/,
          'a tag is repository[:tag], lower-case',
        )
        .max(200)
        .optional(),
    }),
    z.object({ task: TaskInfo }),
  ),
  /** Long work: `docker pull` of a reference, with per-layer progress; needs the registry reachable. */
  pullContainerImage: call(
    z.strictObject({
      ref: z
        .string()
        .max(300)
        .regex(
          /^[a-z0-9][a-z0-9._:/-]*(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$/,
          'a reference is [registry/]repository[:tag][@digest], e.g. debian:12 or 127.0.0.1:5000/team/app:1.0',
        ),
    }),
    z.object({ task: TaskInfo }),
  ),
  convertImage: call(
    z.strictObject({
      id: Id,
      format: ImageFormat.exclude(['iso']),
      name: z.string().min(1).max(200).optional(),
    }),
    z.object({ task: TaskInfo }),
  ),
  deleteImage: call(z.strictObject({ id: Id }), z.object({ deleted: z.literal(true) })),
  /** Every OS/version with a VM image and what the base-image cache holds for it. */
  listCatalogImages: call(
    NoArgs,
    z.object({
      items: z.array(CatalogImage),
      /** <dataDir>/catalog.local.json, and why it was not used when it does not parse. */
      localCatalog: z.object({ path: z.string(), error: z.string().nullable() }),
    }),
  ),
  /** Long work: downloads (or resumes) a catalog base image; verified before it is usable. */
  downloadCatalogImage: call(CatalogImageRef, z.object({ task: TaskInfo })),
  /** Long work: a file the user has (offline) becomes the cached base for an OS/version. */
  addCatalogBase: call(CatalogImageRef.extend({ path: HostPath }), z.object({ task: TaskInfo })),
  /** Deletes a cached base (or a partial download); refused while an environment uses it. */
  removeCatalogBase: call(CatalogImageRef, z.object({ removed: z.boolean() })),
  getSettings: call(NoArgs, Settings),
  updateSettings: call(z.strictObject({ patch: Settings.partial().strict() }), Settings),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallArgs<K extends CallName> = z.input<Calls[K]['args']>;
export type ParsedArgs<K extends CallName> = z.output<Calls[K]['args']>;
export type CallResult<K extends CallName> = z.output<Calls[K]['result']>;
export const CALL_NAMES = Object.keys(calls) as CallName[];

// ---------------------------------------------------------------------------------------------
// Events: main -> renderer pushes.

export const events = {
  settingsChanged: Settings,
  auditAppended: AuditEvent,
  hostInfoChanged: HostInfo,
  environmentChanged: EnvironmentSummary,
  taskUpdated: TaskInfo,
  metricsSampled: z.object({ envId: z.string(), sample: MetricSample }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.output<Events[K]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

// ---------------------------------------------------------------------------------------------
// What the renderer sees as `window.genos`, on either transport. Calls resolve to the envelope
// (errors cross contextBridge as plain data, not as thrown objects, which would lose their code).

export type GenosBridge = {
  readonly calls: { [K in CallName]: (args: CallArgs<K>) => Promise<Envelope<CallResult<K>>> };
  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void;
  readonly transport: 'electron' | 'websocket';
  /**
   * Electron only: the host path of a file dropped on the window (webUtils.getPathForFile), for
   * importImage. In serve mode the page streams the file to PUT /upload and calls importUpload.
   */
  readonly pathForFile?: (file: unknown) => string | null;
};

// ---------------------------------------------------------------------------------------------
// The WebSocket wire format (serve mode and the data dir's owner socket).

export const WIRE_PROTOCOL = 'genos.v1';
/** The token travels as a second subprotocol, so it never appears in a URL or a server log. */
export const WIRE_TOKEN_PREFIX = 'genos.token.';

export const WireRequest = z.strictObject({
  id: z.number().int().nonnegative(),
  call: z.string().max(64),
  args: z.unknown(),
});
export type WireRequest = z.infer<typeof WireRequest>;
export type WireReply = { id: number | null } & Envelope<unknown>;
export type WirePush = { event: EventName; payload: unknown };
