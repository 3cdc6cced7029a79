/**
 * The optional LLM provider: an OpenAI-compatible chat endpoint (a local Ollama, llama.cpp, ...)
 * configured in settings. Never required and never the default: any failure — no answer in
 * time, bad JSON, a spec that breaks the schema — falls back to the rule engine, with a warning.
 */
import type { ComposeResult } from '../../preload/compose.js';
import { EnvironmentSpec } from '../../preload/spec.js';
import { NOTHING_UNDERSTOOD, compose, composeWith, type ComposeOptions } from './compose.js';
import { extractJson, proposalClaims, systemPrompt, userMessage } from './llm-proposal.js';

export const DEFAULT_LLM_TIMEOUT_MS = 4000;
const MAX_ANSWER_BYTES = 256 * 1024;

export type LlmOptions = {
  /** settings.llmEndpoint: a base URL (".../v1") or the full ".../chat/completions". */
  endpoint: string;
  /** The model to ask; when absent, the first one the endpoint lists (GET .../models). */
  model?: string;
  apiKey?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
};

export function chatUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (!/\/chat\/completions\/?$/.test(url.pathname)) {
    url.pathname = url.pathname.replace(/\/+$/, '') + '/chat/completions';
  }
  return url.toString();
}

function modelsUrl(endpoint: string): string {
  const url = new URL(chatUrl(endpoint));
  url.pathname = url.pathname.replace(/\/chat\/completions\/?$/, '/models');
  return url.toString();
}

class LlmFailure extends Error {}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text.length > MAX_ANSWER_BYTES) throw new LlmFailure('the answer is too large');
  try {
    return JSON.parse(text);
  } catch {
    throw new LlmFailure('the endpoint did not answer with JSON');
  }
}

function headers(opts: LlmOptions): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
  };
  if (opts.apiKey) h.authorization = `Bearer ${opts.apiKey}`;
  return h;
}

async function pickModel(opts: LlmOptions, signal: AbortSignal): Promise<string> {
  if (opts.model) return opts.model;
  try {
    const res = await fetch(modelsUrl(opts.endpoint), { headers: headers(opts), signal });
    const body = (await readJson(res)) as { data?: Array<{ id?: unknown }> };
    const id = body.data?.[0]?.id;
    if (res.ok && typeof id === 'string' && id.length > 0) return id;
  } catch (err) {
    if (signal.aborted) throw err;
  }
  return 'default'; // many single-model servers accept any name
}

async function askForSpec(
  prompt: string,
  ruleSpec: EnvironmentSpec | null,
  opts: LlmOptions,
  signal: AbortSignal,
): Promise<EnvironmentSpec> {
  const model = await pickModel(opts, signal);
  const res = await fetch(chatUrl(opts.endpoint), {
    method: 'POST',
    headers: headers(opts),
    signal,
    body: JSON.stringify({
      model,
      temperature: 0,
      stream: false,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: systemPrompt() },
        { role: 'user', content: userMessage(prompt, ruleSpec) },
      ],
    }),
  });
  if (!res.ok) throw new LlmFailure(`the endpoint answered HTTP ${res.status}`);
  const body = (await readJson(res)) as { choices?: Array<{ message?: { content?: unknown } }> };
  const content = body.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new LlmFailure('the answer has no message content');
  let data: unknown;
  try {
    data = extractJson(content);
  } catch (err) {
    throw new LlmFailure(`the model's answer is not JSON (${(err as Error).message})`);
  }
  const parsed = EnvironmentSpec.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new LlmFailure(
      `the model's spec does not match the schema (${first.path.join('.') || 'top'}: ${first.message})`,
    );
  }
  return parsed.data;
}

/** The rules' answer plus why the LLM's was not used; on an error, the reason joins the error. */
function withWarning(result: ComposeResult, warning: string): ComposeResult {
  if ('error' in result) return { error: `${result.error} ${warning}` };
  return { ...result, warnings: [...result.warnings, warning] };
}

/**
 * The rule engine's reading, with the fields it left at a default filled from the LLM's
 * proposal where that proposal is valid. Never throws; never slower than the timeout (4 s).
 */
export async function composeWithLlm(
  prompt: string,
  opts: ComposeOptions,
  llm: LlmOptions,
): Promise<ComposeResult> {
  const rules = compose(prompt, opts);
  // An error the rules can name (macOS, a port of 70000) stands; only "understood nothing" may
  // be rescued by the model.
  if ('error' in rules && rules.error !== NOTHING_UNDERSTOOD) return rules;
  const timeoutMs = llm.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  const signals = [AbortSignal.timeout(timeoutMs), ...(llm.signal ? [llm.signal] : [])];
  const signal = AbortSignal.any(signals);
  let proposal: EnvironmentSpec;
  try {
    proposal = await askForSpec(prompt, 'error' in rules ? null : rules.spec, llm, signal);
  } catch (err) {
    const why = llm.signal?.aborted
      ? 'the request was cancelled'
      : signal.aborted
        ? `no answer within ${timeoutMs} ms`
        : err instanceof LlmFailure
          ? err.message
          : `the endpoint could not be reached (${err instanceof Error ? err.message : String(err)})`;
    return withWarning(
      rules,
      `The LLM provider was not used: ${why}. This is the rule engine's reading.`,
    );
  }
  const { claims, rejected } = proposalClaims(proposal);
  const merged = composeWith(prompt, opts, claims);
  if ('error' in merged) {
    return withWarning(
      rules,
      `The LLM provider's proposal was refused: ${merged.error} This is the rule engine's reading.`,
    );
  }
  if (rejected.length > 0) {
    return withWarning(
      merged,
      `The LLM provider proposed values outside the catalog, which were ignored: ${rejected.join(', ')}.`,
    );
  }
  return merged;
}
