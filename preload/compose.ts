/**
 * What the composer answers: a spec with warnings, a confidence and, per field, the words that
 * set it — or an error that says why no spec could be made. Part of the contract (re-exported
 * by contract.ts); pure zod like spec.ts.
 */
import { z } from 'zod';
import { EnvironmentSpec } from './spec.js';

/** The longest prompt accepted, on every way in (API, CLI, recipes). */
export const MAX_PROMPT_CHARS = 4000;

export const ExplanationEntry = z.strictObject({
  /** The prompt's words (as typed) that set the field, or 'default' when none did. */
  words: z.union([z.array(z.string()), z.literal('default')]),
  /** Why: the default's reasoning, a typo read, a clamp, a correction. */
  note: z.string().optional(),
});
export type ExplanationEntry = z.infer<typeof ExplanationEntry>;

/** Keyed by the spec's field path: "backend", "os.id", "resources.memoryMiB", "network.ports", ... */
export const Explanation = z.record(z.string(), ExplanationEntry);
export type Explanation = z.infer<typeof Explanation>;

/** One environment of a stack prompt, composed from its part of the prompt. */
export const ComposedEnvironment = z.strictObject({
  spec: EnvironmentSpec,
  warnings: z.array(z.string()),
  confidence: z.number().min(0).max(1),
  explanation: Explanation,
  /** The words of the prompt this environment was read from. */
  text: z.string(),
});
export type ComposedEnvironment = z.infer<typeof ComposedEnvironment>;

/** The most environments one prompt may describe (upStack's limit). */
export const MAX_STACK_ENVIRONMENTS = 32;

export const ComposeSuccess = z.strictObject({
  /** The environment; for a stack, its first one (so one-environment clients keep working). */
  spec: EnvironmentSpec,
  warnings: z.array(z.string()),
  confidence: z.number().min(0).max(1),
  explanation: Explanation,
  /**
   * Present only when the prompt describes several environments (a stack): every one, in the
   * prompt's order, with `requires` naming the others it needs. Launch them with upStack.
   */
  environments: z.array(ComposedEnvironment).min(2).max(MAX_STACK_ENVIRONMENTS).optional(),
});
export type ComposeSuccess = z.infer<typeof ComposeSuccess>;

export const ComposeFailure = z.strictObject({ error: z.string().min(1) });
export type ComposeFailure = z.infer<typeof ComposeFailure>;

export const ComposeResult = z.union([ComposeSuccess, ComposeFailure]);
export type ComposeResult = z.infer<typeof ComposeResult>;

/** The `compose` call's arguments. */
export const ComposeArgs = z.strictObject({ prompt: z.string().max(MAX_PROMPT_CHARS) });
export type ComposeArgs = z.infer<typeof ComposeArgs>;
