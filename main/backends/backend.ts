import type { Duplex, Readable } from 'node:stream';
import type { EnvironmentSpec, HostInfo, LaunchPlan } from '../../preload/contract.js';
import type { SshTarget } from '../streams/pty-ssh.js';

/**
 * The one interface both backends implement. A backend owns its processes (qemu, containers) and
 * knows how to find them again; the orchestrator owns state and the store. Methods take the
 * environment's id, spec and the handles the backend returned earlier (persisted by the
 * orchestrator in environments.handles_json), so a backend keeps no state that a restart loses.
 */

/** What a backend needs to find its instance again after an app restart. JSON-serialisable. */
export type BackendHandles = Record<string, string | number | boolean | null>;

export type EnvRef = { id: string; spec: EnvironmentSpec; handles: BackendHandles };

/** The exact launch, shown to the user before it happens (`genos up --dry-run`, the dry-run panel). */
export type { LaunchPlan };

export type RuntimeStatus =
  | { state: 'running' | 'paused'; pid?: number; since?: string }
  | { state: 'stopped'; exitCode: number | null; reason: string }
  | { state: 'missing'; reason: string };

export type Stats = {
  at: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number | null;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
};

export type SnapshotKind = 'disk' | 'live' | 'commit';
export type SnapshotInfo = {
  name: string;
  kind: SnapshotKind;
  createdAt: string;
  sizeBytes: number | null;
  /** Why it is not what was asked for (a container's live snapshot taken as a commit). */
  note?: string;
};

/** A bidirectional byte stream to the environment's console (serial socket, exec TTY). */
export type ConsoleStream = {
  stream: Duplex;
  resize?(cols: number, rows: number): Promise<void>;
  close(): void;
};

/** Where the display bridge connects: a unix socket speaking RFB (VNC) or SPICE. Never TCP. */
export type DisplayEndpoint =
  { protocol: DisplayProtocol; socketPath: string } | { protocol: 'none'; reason: string };
export type DisplayProtocol = 'vnc' | 'spice';

/** Something that happened to an instance outside any call (a crash, OOM, a health change). */
export type BackendChange =
  | { kind: 'started' }
  | { kind: 'died'; exitCode: number | null }
  | { kind: 'oom' }
  | { kind: 'health'; status: 'starting' | 'healthy' | 'unhealthy' }
  | { kind: 'paused' }
  | { kind: 'unpaused' }
  | { kind: 'destroyed' };

export type Progress = (p: {
  stage: string;
  done?: number;
  total?: number;
  message?: string;
}) => void;

export interface Backend {
  readonly kind: 'qemu' | 'docker';
  plan(env: EnvRef, host: HostInfo): Promise<LaunchPlan>;
  /** Creates what the environment needs (disk overlay, container) and returns the handles. */
  create(
    env: EnvRef,
    host: HostInfo,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<BackendHandles>;
  start(
    env: EnvRef,
    host: HostInfo,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<BackendHandles>;
  /** Graceful stop (ACPI power-down / SIGTERM), then force after timeoutMs. */
  stop(env: EnvRef, timeoutMs: number): Promise<void>;
  kill(env: EnvRef): Promise<void>;
  pause(env: EnvRef): Promise<void>;
  resume(env: EnvRef): Promise<void>;
  snapshot(env: EnvRef, name: string, kind: SnapshotKind): Promise<SnapshotInfo>;
  /** Returns new handles when restoring replaced the instance (docker recreates the container). */
  restore(env: EnvRef, name: string): Promise<BackendHandles | void>;
  deleteSnapshot(env: EnvRef, name: string): Promise<void>;
  /** Removes everything create() made. Idempotent. */
  remove(env: EnvRef): Promise<void>;
  inspect(env: EnvRef): Promise<RuntimeStatus>;
  /**
   * Takes up following an unfinished provisioning of a running environment this process did not
   * start (re-adopted after an app restart): its stages go to `progress` as from start().
   */
  followProvisioning?(env: EnvRef, host: HostInfo, progress: Progress): Promise<void>;
  stats(env: EnvRef): Promise<Stats>;
  openConsole(env: EnvRef): Promise<ConsoleStream>;
  /** The newest console output (serial log of a VM, logs of a container), at most maxBytes. */
  consoleLog(env: EnvRef, maxBytes: number, since?: Date): Promise<Buffer>;
  /** The main process's own TTY (containers); absent where there is none. */
  attach?(env: EnvRef): Promise<ConsoleStream>;
  /** Where an SSH terminal logs into the guest (catalog VMs); throws why not. */
  sshTarget?(env: EnvRef): Promise<SshTarget>;
  /** Recent console output (from `since`, or the last `tail` lines), then new output until it stops. */
  followLog?(env: EnvRef, opts: { since?: Date; tail?: number }): Promise<Readable>;
  /** The display socket for `protocol` (default VNC); throws when the instance has no such server. */
  openDisplay(env: EnvRef, protocol?: DisplayProtocol): Promise<DisplayEndpoint>;
  /** Instances of this backend that GenOS started and that run now, for re-adoption at start-up. */
  listRunning(): Promise<Array<{ envId: string; handles: BackendHandles }>>;
  /**
   * Pushes changes as they happen (Docker's event stream), so state follows within a second
   * instead of at the next reconciliation. Optional: polling reconciliation covers the rest.
   */
  /** Lets go of instances at app shutdown; they keep running and are re-adopted next start. */
  close?(): void | Promise<void>;
  watch?(
    onChange: (envId: string, change: BackendChange) => void,
    opts?: { onEngine?: (state: { up: boolean }) => void },
  ): { close(): void };
}
