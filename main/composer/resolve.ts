/**
 * Claims -> one value per field. The prompt's own words beat implications, which beat an LLM's
 * proposal; among equals the later claim wins ("... actually make it a VM"). Two different
 * values without a correction word between them are reported, never silently dropped.
 */
import type { Claim, ClaimField, ClaimOf, Scan } from './scan.js';

const LABELS: Record<ClaimField, string> = {
  name: 'The name',
  backend: 'The backend',
  os: 'The OS',
  version: 'The version',
  cpus: 'The CPU count',
  memoryMiB: 'The memory size',
  diskGiB: 'The disk size',
  count: 'The count',
  network: 'The network',
  port: 'A port',
  display: 'The display',
  desktop: 'The desktop',
  app: 'An app',
  ephemeral: 'The lifetime',
  image: 'The image',
  restartPolicy: 'The restart policy',
};

const RANK = { strong: 3, weak: 2, llm: 1 } as const;

function same(a: Claim, b: Claim): boolean {
  return JSON.stringify(a.value) === JSON.stringify(b.value);
}

/** The winning claim for a single-valued field, or undefined when nothing claimed it. */
export function pick<F extends ClaimField>(
  scan: Scan,
  field: F,
  filter?: (c: ClaimOf<F>) => boolean,
): ClaimOf<F> | undefined {
  const all = scan.claimsFor(field).filter((c) => !filter || filter(c));
  if (all.length === 0) return undefined;
  const top = Math.max(...all.map((c) => RANK[c.strength]));
  const best = all.filter((c) => RANK[c.strength] === top);
  return best[best.length - 1];
}

/**
 * Whether a correction word follows the earlier claim: before the new value ("actually make it a
 * VM") or after it ("4 cpus instead") — either way the user meant to change it.
 */
function corrected(scan: Scan, from: number): boolean {
  return scan.corrections.some((p) => p > from);
}

function show(c: Claim): string {
  return c.words.join(' ');
}

/** Warns about fields said twice with different values and no correction word in between. */
export function reportConflicts(scan: Scan, fields: ClaimField[]): void {
  for (const field of fields) {
    const strong = scan.claimsFor(field).filter((c) => c.strength === 'strong');
    const last = strong[strong.length - 1];
    if (!last) continue;
    const earlier = strong.find((c) => !same(c, last) && c.pos < last.pos);
    if (!earlier || corrected(scan, earlier.pos)) continue;
    scan.warn(
      `${LABELS[field]} was given twice ("${show(earlier)}", then "${show(last)}"); the later one is used.`,
    );
  }
}

/** Whether an earlier different value was corrected by a later one (for the explanation). */
export function correctionNote<F extends ClaimField>(
  scan: Scan,
  winner: ClaimOf<F>,
): string | undefined {
  const earlier = scan
    .claimsFor(winner.field)
    .find((c) => c.strength === 'strong' && c.pos < winner.pos && !same(c, winner));
  if (!earlier || !corrected(scan, earlier.pos)) return undefined;
  return `corrected from "${show(earlier)}"`;
}
