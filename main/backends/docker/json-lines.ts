/**
 * The engine's progress streams (pull, load, import, build, events, stats) are JSON objects, one
 * per line. This reads them as they come, tolerating objects split across chunks.
 */
import { StringDecoder } from 'node:string_decoder';

export async function readJsonLines(
  stream: NodeJS.ReadableStream,
  onObject: (o: Record<string, unknown>) => void,
  signal?: AbortSignal,
): Promise<void> {
  let pending = '';
  // A multi-byte character may straddle two chunks.
  const decoder = new StringDecoder('utf8');
  const abort = (): void => {
    (stream as { destroy?: (e?: Error) => void }).destroy?.();
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of stream) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) parseInto(line, onObject);
      }
    }
    if (pending.trim()) parseInto(pending.trim(), onObject);
  } catch (e) {
    // Destroying the stream on abort surfaces as "premature close": report the abort instead.
    if (!signal?.aborted) throw e;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
}

function parseInto(line: string, onObject: (o: Record<string, unknown>) => void): void {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    // Podman and older engines sometimes interleave plain text; it carries no progress.
    return;
  }
  if (o && typeof o === 'object' && !Array.isArray(o)) onObject(o as Record<string, unknown>);
}

/** The `error` of a progress object, if it is one ({error} or {errorDetail: {message}}). */
export function progressError(o: Record<string, unknown>): string | null {
  if (typeof o.error === 'string') return o.error;
  const d = o.errorDetail as { message?: unknown } | undefined;
  return d && typeof d.message === 'string' ? d.message : null;
}
