import { GenosError } from '../core/errors.js';

export type StackMember = { name: string; requires: readonly string[] };

/**
 * Start order of a stack: levels of members whose requirements are all in earlier levels, so
 * each level can start in parallel. A requirement names another member (by name); a cycle is
 * refused naming the cycle, an unknown name is refused naming it.
 */
export function stackLevels<T extends StackMember>(members: readonly T[]): T[][] {
  const byName = new Map(members.map((m) => [m.name, m]));
  if (byName.size !== members.length) {
    const seen = new Set<string>();
    const dup = members.find((m) => (seen.has(m.name) ? true : (seen.add(m.name), false)));
    throw new GenosError(
      'BAD_ARGS',
      `Two environments of the stack are called "${dup?.name}"; names must differ.`,
    );
  }
  for (const m of members) {
    for (const r of m.requires) {
      if (!byName.has(r)) {
        throw new GenosError(
          'BAD_ARGS',
          `${m.name} requires "${r}", which is not part of the stack.`,
        );
      }
    }
  }
  const cycle = findCycle(members, byName);
  if (cycle)
    throw new GenosError('BAD_ARGS', `The stack has a dependency cycle: ${cycle.join(' -> ')}.`);

  // A member's level is one past the deepest of its requirements; no cycle, so this ends.
  // Linear in members and edges (a 200-long chain is 200 levels, not 200 passes over 200).
  const depth = new Map<string, number>();
  const levelOf = (m: StackMember): number => {
    let d = depth.get(m.name);
    if (d === undefined) {
      d = 0;
      for (const r of m.requires) d = Math.max(d, levelOf(byName.get(r)!) + 1);
      depth.set(m.name, d);
    }
    return d;
  };
  const levels: T[][] = [];
  for (const m of members) (levels[levelOf(m)] ??= []).push(m);
  return levels;
}

function findCycle(
  members: readonly StackMember[],
  byName: Map<string, StackMember>,
): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const r of byName.get(name)!.requires) {
      const found = visit(r);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return null;
  };
  for (const m of members) {
    const found = visit(m.name);
    if (found) return found;
  }
  return null;
}
