import type { GenosBridge } from '../../../preload/contract';

type Global = { genos?: GenosBridge };
export type CallLog = { name: string; args: unknown }[];

/**
 * Installs a `window.genos` whose calls answer from `handlers` (a missing one answers
 * INTERNAL), and records every call made.
 */
export function installFakeBridge(
  handlers: Record<string, (args: never) => unknown>,
  extra: Partial<GenosBridge> = {},
): CallLog {
  const log: CallLog = [];
  const calls = new Proxy(
    {},
    {
      get: (_target, name: string) => async (args: never) => {
        log.push({ name, args });
        const handler = handlers[name];
        if (!handler) return { error: { code: 'INTERNAL', message: `no fake for ${name}` } };
        return handler(args);
      },
    },
  ) as GenosBridge['calls'];
  (globalThis as Global).genos = { calls, on: () => () => {}, transport: 'websocket', ...extra };
  return log;
}

export function removeFakeBridge(): void {
  delete (globalThis as Global).genos;
}
