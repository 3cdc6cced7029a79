/**
 * Memory, disk and CPUs. A size is a number with a unit ("8GB", "half a gig", "128m"); a label
 * before or after it ("8GB RAM", "disk 20g", "memory=128m") says which; unlabelled sizes go to
 * memory first, then disk ("8 gigs, 80GB disk"). GB is read as GiB: people mean the binary one.
 */
import type { Item } from './lexer.js';
import { FILLER, isKw, type Scan } from './scan.js';

type Label = 'memory' | 'disk' | null;

function labelOf(it: Item | undefined): Label | 'cpus' {
  if (!it) return null;
  if (isKw(it, 'memWord') || (it.k === 'key' && it.key === 'memory')) return 'memory';
  if (isKw(it, 'diskWord') || (it.k === 'key' && it.key === 'disk')) return 'disk';
  if (isKw(it, 'cpuWord') || (it.k === 'key' && it.key === 'cpus')) return 'cpus';
  return null;
}

/** True when the number is written with a minus sign right before it ("-2 cpus"). */
function negative(scan: Scan, it: Item): boolean {
  const before = scan.at(it.idx - 1);
  return before?.k === 'op' && before.op === '-' && before.end === it.start;
}

/** The label after a size, skipping "of" and the like: "8 gigs of ram", "20G disk". */
function labelAfter(scan: Scan, i: number): Item | undefined {
  const it = scan.next(i, FILLER);
  return it && !it.used && labelOf(it) !== null ? it : undefined;
}

function labelBefore(scan: Scan, i: number): Item | undefined {
  const it = scan.prev(i, FILLER);
  return it && !it.used && labelOf(it) !== null ? it : undefined;
}

type Size = {
  mib: number;
  items: Item[];
  label: Label;
  labelItem?: Item;
  pos: number;
  note?: string;
};

function claimSize(scan: Scan, s: Size, as: 'memory' | 'disk', note?: string): void {
  const words = scan.use(...s.items, s.labelItem);
  const fullNote = [s.note, note].filter(Boolean).join('; ') || undefined;
  if (as === 'memory') {
    scan.claim({
      field: 'memoryMiB',
      value: Math.round(s.mib),
      words,
      pos: s.pos,
      note: fullNote,
      strength: 'strong',
    });
  } else {
    const gib = s.mib / 1024;
    const rounded = gib > 0 && gib < 1 ? 1 : Math.round(gib);
    const n =
      rounded !== gib && gib > 0 ? `${gib.toFixed(2)} GiB rounded to ${rounded} GiB` : undefined;
    scan.claim({
      field: 'diskGiB',
      value: rounded,
      words,
      pos: s.pos,
      note: [fullNote, n].filter(Boolean).join('; ') || undefined,
      strength: 'strong',
    });
  }
}

export function extractSizes(scan: Scan): void {
  const unlabelled: Size[] = [];
  for (const it of scan.items) {
    if (it.used || it.k !== 'num') continue;
    const unit = scan.at(it.idx + 1);
    const sign = negative(scan, it) ? -1 : 1;
    if (unit?.k === 'kw' && unit.kw.t === 'unit') {
      const size: Size = {
        mib: sign * it.value * unit.kw.mib,
        items: [it, unit],
        label: null,
        pos: it.idx,
      };
      if (sign < 0) size.items.unshift(scan.at(it.idx - 1)!);
      const after = labelAfter(scan, unit.idx);
      const before = after ? undefined : labelBefore(scan, it.idx);
      const label = labelOf(after ?? before);
      if (label === 'memory' || label === 'disk') {
        claimSize(scan, { ...size, label, labelItem: after ?? before }, label);
      } else {
        unlabelled.push(size);
      }
      continue;
    }
    // A bare number right after a memory or disk label: "memory=2048", "disk: 20".
    const before = scan.at(it.idx - 1);
    const label = before && !before.used ? labelOf(before) : null;
    if (label === 'memory') {
      const mib = it.value >= 64 ? it.value : it.value * 1024;
      const note = it.value >= 64 ? 'no unit: read as MiB' : 'no unit: read as GiB';
      claimSize(
        scan,
        { mib: sign * mib, items: [it], label, labelItem: before, pos: it.idx, note },
        'memory',
      );
    } else if (label === 'disk') {
      claimSize(
        scan,
        {
          mib: sign * it.value * 1024,
          items: [it],
          label,
          labelItem: before,
          pos: it.idx,
          note: 'no unit: read as GiB',
        },
        'disk',
      );
    }
  }
  // Unlabelled sizes: the first is memory unless memory was labelled; then disk. Terabytes and
  // anything past 512 GiB can only be disk.
  let memoryTaken = scan.claimsFor('memoryMiB').length > 0;
  let diskTaken = scan.claimsFor('diskGiB').length > 0;
  let memoryAt = -1;
  for (const s of unlabelled) {
    const huge = Math.abs(s.mib) > 512 * 1024;
    // "2 gb, actually 4 gb": after a correction word, a second bare size replaces the first.
    const corrects = memoryAt >= 0 && scan.corrections.some((p) => p > memoryAt && p < s.pos);
    if ((!memoryTaken || corrects) && !huge) {
      memoryAt = s.pos;
      claimSize(scan, s, 'memory', 'a size without a label is read as memory');
      memoryTaken = true;
    } else if (!diskTaken) {
      claimSize(scan, s, 'disk', 'a second size without a label is read as disk');
      diskTaken = true;
    } else {
      scan.warn(
        `Ignored "${s.items.flatMap((i) => i.words).join(' ')}": memory and disk were already given, and it says neither.`,
      );
      scan.use(...s.items);
    }
  }
}

export function extractCpus(scan: Scan): void {
  for (const it of scan.items) {
    if (it.used) continue;
    if (it.k === 'kw' && it.kw.t === 'cores') {
      // "quad-core", maybe followed by "cpu"/"processor"
      const after = scan.at(it.idx + 1);
      const extra = after && isKw(after, 'cpuWord') ? after : undefined;
      scan.claim({
        field: 'cpus',
        value: it.kw.n,
        words: scan.use(it, extra),
        pos: it.idx,
        strength: 'strong',
      });
      continue;
    }
    if (it.k !== 'num') continue;
    const after = labelAfter(scan, it.idx);
    const beforeIt = labelBefore(scan, it.idx);
    const unitNext = isKw(scan.at(it.idx + 1), 'unit');
    const label =
      after && labelOf(after) === 'cpus'
        ? after
        : !unitNext && beforeIt && !beforeIt.used && labelOf(beforeIt) === 'cpus'
          ? beforeIt
          : undefined;
    if (!label) continue;
    const neg = negative(scan, it);
    let value = neg ? -it.value : it.value;
    let note: string | undefined;
    if (!Number.isInteger(value)) {
      note = `${value} CPUs rounded down to ${Math.floor(value)}`;
      value = Math.floor(value);
    }
    const words = scan.use(neg ? scan.at(it.idx - 1) : undefined, it, label);
    scan.claim({ field: 'cpus', value, words, pos: it.idx, note, strength: 'strong' });
  }
}
