/**
 * The `compose` call as the API serves it: the host's limits from the host probe, the default
 * network from settings, and the LLM provider when settings name one.
 */
import type { ComposeArgs, ComposeResult } from '../../preload/compose.js';
import type { NetworkMode } from '../../preload/spec.js';
import { compose } from './compose.js';
import type { HostLimits } from './defaults.js';
import { composeWithLlm } from './llm-provider.js';

export type ComposeContext = {
  /** From hostInfo: `hostLimits(info)`. Absent: nothing is clamped. */
  host?: HostLimits;
  /** settings.defaultNetworkMode */
  networkMode?: NetworkMode;
  /** settings.llmEndpoint; null keeps composing fully offline. */
  llmEndpoint?: string | null;
  llmModel?: string;
  llmTimeoutMs?: number;
  signal?: AbortSignal;
};

/** HostInfo (the contract's) -> the two numbers the composer clamps to. */
export function hostLimits(info: {
  cpu: { count: number };
  memory: { totalMiB: number };
}): HostLimits {
  return { cpuCount: info.cpu.count, memoryMiB: info.memory.totalMiB };
}

export async function composeForApi(
  args: ComposeArgs,
  ctx: ComposeContext = {},
): Promise<ComposeResult> {
  const opts = {
    ...(ctx.host ? { host: ctx.host } : {}),
    ...(ctx.networkMode ? { defaults: { networkMode: ctx.networkMode } } : {}),
  };
  const offline = compose(args.prompt, opts);
  // A stack is read offline, part by part: the provider proposes one environment at a time.
  if (!ctx.llmEndpoint || ('environments' in offline && offline.environments)) return offline;
  return composeWithLlm(args.prompt, opts, {
    endpoint: ctx.llmEndpoint,
    ...(ctx.llmModel ? { model: ctx.llmModel } : {}),
    ...(ctx.llmTimeoutMs ? { timeoutMs: ctx.llmTimeoutMs } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}
