/**
 * A stack prompt -> one composed environment per part, with `requires` between them. Each part
 * is composed on its own by the one-environment composer (same rules, same explanations); this
 * adds what only the stack knows: distinct names, the requirements and the words behind them.
 */
import {
  MAX_STACK_ENVIRONMENTS,
  type ComposeResult,
  type ComposeSuccess,
  type ComposedEnvironment,
} from '../../preload/compose.js';
import type { ExtraClaims, ComposeOptions } from './compose.js';
import { slugify } from './extract-name-image.js';
import { splitStack } from './stack-split.js';

type ComposeOne = (prompt: string, opts: ComposeOptions, extra: ExtraClaims) => ComposeResult;

function kind(env: ComposedEnvironment): string {
  return env.spec.backend === 'qemu' ? 'VM' : 'container';
}

/**
 * In a stack the OS says little ("ubuntu-24-04" twice): a member the prompt did not name is named
 * for what it runs, when it runs an app ("postgresql", "nginx").
 */
function nameForRole(env: ComposedEnvironment): void {
  const app = env.spec.apps[0];
  const role = app ? slugify(app) : null;
  if (
    env.explanation.name?.words !== 'default' ||
    !role ||
    env.spec.image.kind === 'container-image'
  )
    return;
  env.spec = { ...env.spec, name: role };
  env.explanation.name = { words: 'default', note: `named for ${app}, what it runs in the stack` };
}

/** name, name-2, name-3 ...: the stack refers to its members by name, so they must differ. */
function uniqueNames(envs: ComposedEnvironment[]): void {
  const taken = new Set<string>();
  for (const env of envs) {
    nameForRole(env);
    let name = env.spec.name;
    for (let n = 2; taken.has(name); n++) name = `${env.spec.name.slice(0, 60)}-${n}`;
    if (name !== env.spec.name) {
      const e = env.explanation.name;
      const note = `"${env.spec.name}" is taken by another environment of the stack`;
      env.explanation.name = {
        words: e?.words ?? 'default',
        note: e?.note ? `${e.note}; ${note}` : note,
      };
      env.spec = { ...env.spec, name };
    }
    taken.add(name);
  }
}

/**
 * The stack's answer, or null when the prompt describes one environment (then the caller composes
 * it as before). Never throws: compose() wraps it.
 */
export function composeStack(
  prompt: string,
  opts: ComposeOptions,
  composeOne: ComposeOne,
): ComposeResult | null {
  const parts = splitStack(prompt.normalize('NFKC'));
  if (!parts) return null;
  if (parts.length > MAX_STACK_ENVIRONMENTS) {
    return {
      error: `The prompt describes ${parts.length} environments; a stack holds at most ${MAX_STACK_ENVIRONMENTS}. Split it into several stacks.`,
    };
  }
  const envs: ComposedEnvironment[] = [];
  for (const [i, part] of parts.entries()) {
    const result = composeOne(part.text, opts, []);
    if ('error' in result) {
      return {
        error: `The prompt reads as a stack of ${parts.length} environments, but environment ${i + 1} ("${part.text}") could not be composed: ${result.error}`,
      };
    }
    envs.push({
      spec: result.spec,
      warnings: result.warnings,
      confidence: result.confidence,
      explanation: result.explanation,
      text: part.text,
    });
  }
  uniqueNames(envs);

  const warnings: string[] = [];
  for (const [i, part] of parts.entries()) {
    const env = envs[i]!;
    const needs = part.requires.map((r) => envs[r]!.spec.name);
    env.spec = { ...env.spec, requires: needs };
    env.explanation.requires =
      needs.length > 0
        ? {
            words: part.relationWords,
            note: `${needs.join(' and ')} must be running before it starts`,
          }
        : { words: 'default', note: 'needs no other environment of the stack' };
    if (env.spec.count > 1) {
      warnings.push(
        `${env.spec.name}: a stack starts each of its environments once, so the count of ${env.spec.count} is not applied. Compose it on its own for several copies.`,
      );
      env.spec = { ...env.spec, count: 1 };
    }
    for (const w of env.warnings) warnings.push(`${env.spec.name}: ${w}`);
  }
  const described = envs
    .map(
      (e) =>
        `${e.spec.name} (${kind(e)}${e.spec.requires.length ? `, requires ${e.spec.requires.join(', ')}` : ''})`,
    )
    .join(', ');
  warnings.unshift(
    `A stack of ${envs.length} environments: ${described}. They are launched together, each after what it requires.`,
  );
  const first = envs[0]!;
  const success: ComposeSuccess = {
    spec: first.spec,
    warnings,
    confidence: Math.min(...envs.map((e) => e.confidence)),
    explanation: first.explanation,
    environments: envs,
  };
  return success;
}
