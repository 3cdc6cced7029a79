/**
 * The engine's event stream, narrowed to GenOS containers and mapped to typed changes
 * `(envId, change)`. The engine pushes events as they happen, so a `die` reaches the callback
 * within milliseconds. When the engine goes away the stream ends; once the engine answers again
 * the watcher re-subscribes with `since` = the last event it saw, so events that happened while
 * it was disconnected (a container that died with the engine, say) are still delivered, once.
 */
import type { BackendChange } from '../backend.js';
import type { DockerEngine, EngineState } from './engine.js';
import { readJsonLines } from './json-lines.js';
import { LABEL_ENV, labelFilters } from './labels.js';

/** The engine's events map onto the Backend interface's changes, one for one. */
export type EnvChange = BackendChange;

export type EnvEvent = { envId: string; containerId: string; at: string; change: EnvChange };

type RawEvent = {
  Type?: unknown;
  Action?: unknown;
  status?: unknown;
  id?: unknown;
  time?: unknown;
  timeNano?: unknown;
  Actor?: { ID?: unknown; Attributes?: Record<string, unknown> };
};

function health(action: string, attrs: Record<string, unknown>): EnvChange | null {
  // Docker: "health_status: healthy"; Podman: "health_status" with the status as an attribute.
  const s = action.includes(':') ? action.split(':')[1]!.trim() : String(attrs.health_status ?? '');
  return s === 'starting' || s === 'healthy' || s === 'unhealthy'
    ? { kind: 'health', status: s }
    : null;
}

/** One raw engine event -> a GenOS change, or null for events GenOS does not track. */
export function mapEvent(raw: RawEvent): EnvEvent | null {
  if (raw.Type !== undefined && raw.Type !== 'container') return null;
  const attrs = raw.Actor?.Attributes ?? {};
  const envId = attrs[LABEL_ENV];
  const action =
    typeof raw.Action === 'string' ? raw.Action : typeof raw.status === 'string' ? raw.status : '';
  if (typeof envId !== 'string' || !envId) return null;
  let change: EnvChange | null;
  switch (action.split(':')[0]) {
    case 'start':
      change = { kind: 'started' };
      break;
    case 'die': {
      const code = Number(attrs.exitCode);
      change = {
        kind: 'died',
        exitCode: attrs.exitCode !== undefined && Number.isFinite(code) ? code : null,
      };
      break;
    }
    case 'oom':
      change = { kind: 'oom' };
      break;
    case 'health_status':
      change = health(action, attrs);
      break;
    case 'pause':
      change = { kind: 'paused' };
      break;
    case 'unpause':
      change = { kind: 'unpaused' };
      break;
    case 'destroy':
    case 'remove':
      change = { kind: 'destroyed' };
      break;
    default:
      change = null;
  }
  if (!change) return null;
  const containerId = String(raw.Actor?.ID ?? raw.id ?? '');
  const ns = eventNanos(raw);
  return { envId, containerId, at: new Date(ns / 1e6).toISOString(), change };
}

function eventNanos(raw: RawEvent): number {
  if (typeof raw.timeNano === 'number') return raw.timeNano;
  if (typeof raw.time === 'number') return raw.time * 1e9;
  return Date.now() * 1e6;
}

export type WatchOptions = {
  /** More label filters (tests narrow to their own run). */
  extraLabels?: Record<string, string>;
  /** Told when the engine goes away and comes back (the orchestrator reconciles on `up`). */
  onEngine?: (s: EngineState) => void;
  /** Unix seconds to start from (e.g. the last event the store recorded); default: now. */
  since?: number;
};

export type EventWatcher = {
  /** Resolves once the first subscription is live (events from then on are delivered). */
  ready: Promise<void>;
  close(): void;
};

export function watchEvents(
  engine: DockerEngine,
  onEvent: (envId: string, change: EnvChange, event: EnvEvent) => void,
  opts: WatchOptions = {},
): EventWatcher {
  let closed = false;
  let streaming = false;
  let lastNanos = opts.since !== undefined ? opts.since * 1e9 : null;
  // Keys of the events at the resume boundary: `since` replays them, they are delivered once.
  const seen = new Set<string>();
  let current: NodeJS.ReadableStream | null = null;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const handle = (o: Record<string, unknown>): void => {
    const raw = o as RawEvent;
    const ns = eventNanos(raw);
    const key = `${String(raw.Actor?.ID ?? raw.id)}|${String(raw.Action ?? raw.status)}|${ns}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (seen.size > 512) seen.delete(seen.values().next().value as string);
    if (lastNanos === null || ns > lastNanos) lastNanos = ns;
    const ev = mapEvent(raw);
    if (!ev) return;
    try {
      onEvent(ev.envId, ev.change, ev);
    } catch {
      // The consumer's failure must not end the stream for everyone else.
    }
  };

  const subscribe = async (): Promise<void> => {
    if (closed || streaming) return;
    streaming = true;
    try {
      const docker = await engine.docker();
      // A millisecond early so nothing at the boundary is lost to float rounding; `seen` dedups.
      const since = lastNanos !== null ? (lastNanos - 1e6) / 1e9 : undefined;
      const stream = await docker.getEvents({
        ...(since !== undefined ? { since } : {}),
        filters: { type: ['container'], label: labelFilters(opts.extraLabels) },
      });
      current = stream;
      if (closed) return void (stream as { destroy?: () => void }).destroy?.();
      // Events from here on are ours: anchor "since" now if nothing came yet.
      lastNanos ??= Date.now() * 1e6;
      markReady();
      await readJsonLines(stream, handle);
      if (!closed) engine.markDown('the engine closed its event stream');
    } catch (e) {
      if (!closed) engine.markDown(`event stream: ${String((e as Error).message ?? e)}`);
    } finally {
      streaming = false;
      current = null;
    }
  };

  const unsubscribe = engine.onState((s) => {
    opts.onEngine?.(s);
    if (s.up) void subscribe();
  });
  void subscribe();

  return {
    ready,
    close() {
      closed = true;
      unsubscribe();
      (current as { destroy?: () => void } | null)?.destroy?.();
    },
  };
}
