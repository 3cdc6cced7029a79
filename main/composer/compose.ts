/**
 * compose(prompt) -> a spec, warnings, a confidence and an explanation, or an error that says
 * why. Deterministic and offline: the same prompt and options always give the same answer.
 * It never throws; a bug becomes an error result naming what failed.
 */
import { EnvironmentSpec, type NetworkMode } from '../../preload/spec.js';
import { MAX_PROMPT_CHARS, type ComposeResult } from '../../preload/compose.js';
import { tokenize } from './normalize.js';
import { lex } from './lexer.js';
import { Scan, type Claim } from './scan.js';
import { extractImage, extractName } from './extract-name-image.js';
import { extractPorts } from './extract-ports.js';
import { extractCpus, extractSizes } from './extract-resources.js';
import { extractOs } from './extract-os.js';
import { extractCount } from './extract-count.js';
import { extractApps, extractDesktops } from './extract-apps.js';
import { extractKeywords, reportLeftovers } from './extract-keywords.js';
import { Explainer } from './explain.js';
import { reportConflicts } from './resolve.js';
import { chooseSystem } from './finalize-system.js';
import { chooseCount, chooseNetwork, chooseResources } from './finalize-resources.js';
import { assemble } from './assemble.js';
import type { HostLimits } from './defaults.js';
import type { OsEntry } from './catalog.js';
import { composeStack } from './compose-stack.js';

export type ComposeOptions = {
  /** The host's CPUs and RAM (from the host probe): requests above them are clamped. */
  host?: HostLimits;
  defaults?: { networkMode?: NetworkMode };
};

export const NOTHING_UNDERSTOOD =
  'Nothing in the prompt says what to build: name an OS ("debian 12"), an app ("nginx"), or say "vm" or "container".';

/** Claims that come from outside the prompt (the LLM provider's proposal). */
export type ExtraClaims = Claim[];

const EXTRACTORS = [
  extractName,
  extractPorts,
  extractImage,
  extractSizes,
  extractCpus,
  extractOs,
  extractCount,
  extractApps,
  extractDesktops,
  extractKeywords,
  reportLeftovers,
];

/** Reads the prompt into claims; exported for the LLM merge, which adds its own and finishes. */
export function scanPrompt(prompt: string): Scan {
  const text = prompt.normalize('NFKC');
  const scan = new Scan(lex(tokenize(text)), text);
  for (const extract of EXTRACTORS) extract(scan);
  return scan;
}

/**
 * A prompt -> its environment, or for a stack prompt ("a postgres container and an ubuntu vm
 * that uses it") every environment with `requires` between them (see compose-stack.ts).
 */
export function compose(prompt: string, opts: ComposeOptions = {}): ComposeResult {
  const refused = refusePrompt(prompt);
  if (refused) return refused;
  try {
    const stack = composeStack(prompt, opts, composeWith);
    if (stack) return stack;
  } catch (err) {
    return bug(err);
  }
  return composeWith(prompt, opts, []);
}

function refusePrompt(prompt: unknown): ComposeResult | null {
  if (typeof prompt !== 'string' || prompt.trim().length === 0) {
    return {
      error: 'The prompt is empty: describe the environment, e.g. "debian 12 container with git".',
    };
  }
  if (prompt.length > MAX_PROMPT_CHARS) {
    return {
      error: `The prompt is ${prompt.length} characters long; at most ${MAX_PROMPT_CHARS} are read.`,
    };
  }
  return null;
}

function bug(err: unknown): ComposeResult {
  return {
    error: `The composer failed on this prompt (a bug): ${err instanceof Error ? err.message : String(err)}`,
  };
}

export function composeWith(
  prompt: string,
  opts: ComposeOptions,
  extra: ExtraClaims,
): ComposeResult {
  try {
    const refused = refusePrompt(prompt);
    if (refused) return refused;
    const scan = scanPrompt(prompt);
    for (const c of extra) scan.claim(c);
    return finish(scan, prompt, opts);
  } catch (err) {
    return bug(err);
  }
}

function finish(scan: Scan, prompt: string, opts: ComposeOptions): ComposeResult {
  if (scan.errors.length > 0) return { error: scan.errors.join(' ') };
  const understood =
    scan.claims.length > 0 ||
    scan.unsupported.length > 0 ||
    scan.items.some((i) => i.used && i.k === 'kw' && i.kw.t === 'noun');
  if (!understood) return { error: NOTHING_UNDERSTOOD };
  reportConflicts(scan, [
    'name',
    'backend',
    'os',
    'cpus',
    'memoryMiB',
    'diskGiB',
    'count',
    'network',
    'display',
    'desktop',
    'ephemeral',
    'restartPolicy',
  ]);
  const ex = new Explainer();
  const system = chooseSystem(scan, ex);
  if (!system || scan.errors.length > 0)
    return { error: scan.errors.join(' ') || 'No spec could be made.' };
  const shapeOs = system.os ?? { ...fallbackShapeOs };
  const resources = chooseResources(
    scan,
    ex,
    { backend: system.backend, display: system.display, os: shapeOs },
    opts.host,
  );
  const count = chooseCount(scan, ex, resources.memoryMiB, opts.host);
  const network = chooseNetwork(scan, ex, opts.defaults?.networkMode, count);
  if (scan.errors.length > 0) return { error: scan.errors.join(' ') };
  const assembled = assemble(scan, ex, prompt, system, resources, count, network);
  const parsed = EnvironmentSpec.safeParse(assembled.spec);
  if (!parsed.success) {
    return {
      error: `The composed spec is invalid (a bug): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    };
  }
  return {
    spec: parsed.data,
    warnings: [...scan.warnings],
    confidence: assembled.confidence,
    explanation: ex.ordered(),
  };
}

/** Resource defaults for a custom container image, whose OS the catalog does not know. */
const fallbackShapeOs = {
  id: 'linux',
  name: 'Linux',
  aliases: ['linux'],
  family: 'linux',
  packageManager: 'apt',
  backends: ['docker'],
  defaultVersion: 'latest',
  desktopTypical: false,
  defaultDesktop: null,
  minMemoryMiB: { headless: 64, gui: 1024 },
  versions: [],
} satisfies OsEntry;
