/** Invariants every composed spec must keep, whatever the prompt (shared by the tests). */
import { expect } from 'vitest';
import { EnvironmentSpec } from '../../../preload/spec.js';
import { ComposeResult } from '../../../preload/compose.js';
import { findApp, findDesktop, findOs } from '../../../main/composer/catalog.js';
import { FIELD_PATHS } from '../../../main/composer/explain.js';

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** Checks the result's shape and, for a spec, that free text never reached a field. */
export function checkResult(result: unknown): void {
  expect(ComposeResult.safeParse(result).success).toBe(true);
  const r = result as ComposeResult;
  if ('error' in r) {
    expect(r.error.length).toBeGreaterThan(0);
    return;
  }
  checkOne(r);
  if (!r.environments) return;
  // A stack: the first environment is the top-level one; names differ; requires name members.
  expect(r.environments[0]!.spec).toEqual(r.spec);
  const names = r.environments.map((e) => e.spec.name);
  expect(new Set(names).size).toBe(names.length);
  for (const env of r.environments) {
    checkOne(env);
    expect(env.spec.count).toBe(1);
    for (const need of env.spec.requires) expect(names).toContain(need);
    expect(env.spec.requires).not.toContain(env.spec.name);
  }
}

function checkOne(r: {
  spec: EnvironmentSpec;
  confidence: number;
  explanation: Record<string, unknown>;
}): void {
  expect(EnvironmentSpec.safeParse(r.spec).success).toBe(true);
  const { spec } = r;
  // Every id is a catalog id (or the fixed id for a custom image's OS).
  expect(spec.os.id === 'linux' ? spec.image.kind : findOs(spec.os.id)?.id).toBeTruthy();
  if (spec.os.id !== 'linux' && spec.os.version !== null) {
    expect(findOs(spec.os.id)!.versions.map((v) => v.version)).toContain(spec.os.version);
  }
  for (const app of spec.apps) expect(findApp(app), app).toBeDefined();
  if (spec.desktop !== null) expect(findDesktop(spec.desktop)).toBeDefined();
  expect(new Set(spec.apps).size).toBe(spec.apps.length);
  // Free text never reaches a field: every string but a (validated) image reference is an id.
  const { image, ...rest } = spec;
  void image;
  for (const s of strings(rest)) expect(s).toMatch(/^[a-z0-9][a-z0-9._+-]*$/);
  for (const path of FIELD_PATHS) expect(r.explanation[path], path).toBeDefined();
  expect(r.confidence).toBeGreaterThanOrEqual(0);
  expect(r.confidence).toBeLessThanOrEqual(1);
}
