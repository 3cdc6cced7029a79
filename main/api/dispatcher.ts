import {
  calls,
  type CallName,
  type CallResult,
  type Envelope,
  type ParsedArgs,
} from '../../preload/contract.js';
import { isGenosError } from '../core/errors.js';

/** Who is calling, as established by the transport before the call reaches the dispatcher. */
export type CallContext = {
  transport: 'electron' | 'websocket' | 'owner-socket' | 'in-process';
  /** False when the transport could not verify the caller (e.g. a foreign frame in Electron). */
  trusted: boolean;
};

export type Handlers = {
  [K in CallName]: (
    args: ParsedArgs<K>,
    ctx: CallContext,
  ) => Promise<CallResult<K>> | CallResult<K>;
};

export type Dispatch = (
  call: string,
  rawArgs: unknown,
  ctx: CallContext,
) => Promise<Envelope<unknown>>;

const MAX_ISSUES_SHOWN = 3;

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : 'arguments';
    return `${where}: ${issue.message}`;
  });
  const more =
    issues.length > MAX_ISSUES_SHOWN ? ` (and ${issues.length - MAX_ISSUES_SHOWN} more)` : '';
  return shown.join('; ') + more;
}

function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name);
}

/**
 * The one wrapper every call goes through, on every transport, in this order: caller check ->
 * known call -> schema parse -> service -> envelope. Services only ever see parsed arguments,
 * and nothing thrown inside them crosses the boundary untyped.
 */
export function createDispatcher(
  handlers: Handlers,
  log: Pick<Console, 'error'> = console,
): Dispatch {
  return async (call, rawArgs, ctx) => {
    if (!ctx.trusted) {
      return {
        error: { code: 'FORBIDDEN', message: 'This caller is not allowed to use the GenOS API.' },
      };
    }
    if (typeof call !== 'string' || !isCallName(call)) {
      return {
        error: { code: 'BAD_ARGS', message: `Unknown call "${String(call).slice(0, 64)}".` },
      };
    }
    const parsed = calls[call].args.safeParse(rawArgs);
    if (!parsed.success) {
      return {
        error: {
          code: 'BAD_ARGS',
          message: `Invalid arguments for ${call}: ${describeIssues(parsed.error.issues)}.`,
        },
      };
    }
    try {
      const handler = handlers[call] as (args: unknown, ctx: CallContext) => unknown;
      return { result: await handler(parsed.data, ctx) };
    } catch (err) {
      if (isGenosError(err)) return { error: err.toShape() };
      log.error(`genos: ${call} failed:`, err);
      const what = err instanceof Error ? err.message : String(err);
      return { error: { code: 'INTERNAL', message: `${call} failed unexpectedly: ${what}` } };
    }
  };
}
