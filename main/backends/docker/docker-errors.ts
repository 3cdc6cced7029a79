/**
 * Engine failures turned into GenosErrors whose message says what failed and what to do. The
 * connection errors all mean "the engine is not answering", whatever the errno.
 */
import { GenosError } from '../../core/errors.js';

type EngineFailure = {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  json?: unknown;
  name?: unknown;
};

const CONNECTION_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EACCES',
  'EPERM',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CLOSED',
]);

/** True for a failure to reach the engine at all (as opposed to an engine that said no). */
export function isConnectionError(e: unknown): boolean {
  const err = e as EngineFailure | null;
  if (typeof err?.code === 'string' && CONNECTION_CODES.has(err.code)) return true;
  return typeof err?.message === 'string' && /socket hang up/.test(err.message);
}

export function isAbort(e: unknown): boolean {
  const err = e as EngineFailure | null;
  return err?.name === 'AbortError' || err?.code === 'ABORT_ERR';
}

export function statusOf(e: unknown): number | null {
  const s = (e as EngineFailure | null)?.statusCode;
  return typeof s === 'number' ? s : null;
}

/** The engine's own words, without docker-modem's "(HTTP code 404) no such container - " prefix. */
export function engineMessage(e: unknown): string {
  const err = e as EngineFailure | null;
  const json = err?.json as { message?: unknown } | null | undefined;
  if (json && typeof json.message === 'string') return json.message.trim();
  const m = typeof err?.message === 'string' ? err.message : String(e);
  return m.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

/**
 * Maps an engine failure during `what` (e.g. 'start container genos-web-1a2b') to a GenosError.
 * `endpoint` names the engine for connection failures.
 */
export function toGenosError(e: unknown, what: string, endpoint: string | null): GenosError {
  if (e instanceof GenosError) return e;
  if (isAbort(e)) return new GenosError('CANCELLED', `${what}: cancelled`);
  if (isConnectionError(e)) {
    const err = e as EngineFailure;
    return new GenosError(
      'UNAVAILABLE',
      `${what}: the container engine at ${endpoint ?? 'its socket'} stopped answering (${String(err.code ?? err.message)}). ` +
        'Start it again (sudo systemctl start docker, or systemctl --user start podman.socket); GenOS reconnects by itself.',
    );
  }
  const msg = engineMessage(e);
  switch (statusOf(e)) {
    case 404:
      return new GenosError('NOT_FOUND', `${what}: ${msg}`);
    case 409:
      return new GenosError('CONFLICT', `${what}: ${msg}`);
    case 400:
      return new GenosError('BAD_ARGS', `${what}: the engine refused the request: ${msg}`);
    case 403:
      return new GenosError('CONFLICT', `${what}: the engine refused: ${msg}`);
    case 500:
      if (/port is already allocated|address already in use/i.test(msg)) {
        return new GenosError(
          'CONFLICT',
          `${what}: a host port is already in use (${msg}). Pick another host port or stop what uses it.`,
        );
      }
      return new GenosError('INTERNAL', `${what}: the engine failed: ${msg}`);
  }
  return new GenosError('INTERNAL', `${what}: ${msg}`);
}
