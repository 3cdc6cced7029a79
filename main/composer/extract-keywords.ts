/**
 * The remaining keyword phrases (backend, network, display, lifetime, restart policy, VM-only
 * work, stacks, corrections) and `key=value` settings such as "network=none".
 */
import type { Keyword } from './keywords.js';
import type { Item, KeyName } from './lexer.js';
import { isKw, type Scan } from './scan.js';
import { table } from './lookup.js';

type Values<T> = Readonly<Record<string, T>>;
const NETWORK = table<'nat' | 'isolated' | 'none'>({
  none: 'none',
  off: 'none',
  no: 'none',
  false: 'none',
  disabled: 'none',
  nat: 'nat',
  on: 'nat',
  yes: 'nat',
  true: 'nat',
  internet: 'nat',
  online: 'nat',
  user: 'nat',
  isolated: 'isolated',
  offline: 'isolated',
  'host-only': 'isolated',
  airgapped: 'isolated',
  'air-gapped': 'isolated',
  internal: 'isolated',
  private: 'isolated',
});
const DISPLAY = table<'gui' | 'headless'>({
  gui: 'gui',
  desktop: 'gui',
  graphical: 'gui',
  yes: 'gui',
  true: 'gui',
  on: 'gui',
  vnc: 'gui',
  spice: 'gui',
  headless: 'headless',
  none: 'headless',
  no: 'headless',
  false: 'headless',
  off: 'headless',
  console: 'headless',
  cli: 'headless',
  text: 'headless',
  serial: 'headless',
});
const BACKEND = table<'qemu' | 'docker'>({
  vm: 'qemu',
  qemu: 'qemu',
  kvm: 'qemu',
  'virtual-machine': 'qemu',
  container: 'docker',
  docker: 'docker',
  podman: 'docker',
  oci: 'docker',
});
const BOOL = table<boolean>({
  true: true,
  yes: true,
  on: true,
  '1': true,
  false: false,
  no: false,
  off: false,
  '0': false,
});
const RESTART = table<'never' | 'on-failure' | 'always'>({
  always: 'always',
  'unless-stopped': 'always',
  yes: 'always',
  'on-failure': 'on-failure',
  onfailure: 'on-failure',
  failure: 'on-failure',
  never: 'never',
  no: 'never',
  false: 'never',
});

function valueText(it: Item | undefined): string | null {
  if (!it || it.k === 'sep') return null;
  if (it.k === 'num') return it.digits;
  return it.words.join('-').toLowerCase();
}

function keyValue(scan: Scan, key: KeyName, it: Item): void {
  const v = scan.at(it.idx + 1);
  const text = valueText(v);
  const pos = it.idx;
  const said = `${it.words.join('')}=${v?.words.join(' ') ?? ''}`;
  const pick = <T>(table: Values<T>): T | undefined => (text === null ? undefined : table[text]);
  const fail = () => scan.warn(`Did not understand "${said}"; it was ignored.`);
  switch (key) {
    case 'network': {
      const mode = v?.k === 'kw' && v.kw.t === 'network' ? v.kw.v : pick(NETWORK);
      if (mode)
        scan.claim({
          field: 'network',
          value: mode,
          words: scan.use(it, v),
          pos,
          strength: 'strong',
        });
      else fail();
      return;
    }
    case 'display': {
      const d = v?.k === 'kw' && v.kw.t === 'display' ? v.kw.v : pick(DISPLAY);
      if (d)
        scan.claim({ field: 'display', value: d, words: scan.use(it, v), pos, strength: 'strong' });
      else fail();
      return;
    }
    case 'backend': {
      const b = v?.k === 'kw' && v.kw.t === 'backend' ? v.kw.v : pick(BACKEND);
      if (b)
        scan.claim({ field: 'backend', value: b, words: scan.use(it, v), pos, strength: 'strong' });
      else fail();
      return;
    }
    case 'ephemeral': {
      const e = pick(BOOL);
      if (e !== undefined)
        scan.claim({
          field: 'ephemeral',
          value: e,
          words: scan.use(it, v),
          pos,
          strength: 'strong',
        });
      else fail();
      return;
    }
    case 'restart': {
      const r = pick(RESTART);
      if (r)
        scan.claim({
          field: 'restartPolicy',
          value: r,
          words: scan.use(it, v),
          pos,
          strength: 'strong',
        });
      else fail();
      return;
    }
    default:
      // os, version, desktop, apps, and labels whose value another pass already read
      scan.use(it);
  }
}

/** A negation right before a yes/no keyword flips it: "not a vm", "not headless". */
function flipped(scan: Scan, it: Item): Item | undefined {
  const prev = scan.prev(it.idx);
  return prev && isKw(prev, 'negation') && !prev.used ? prev : undefined;
}

function keyword(scan: Scan, it: Item, kw: Keyword): void {
  const pos = it.idx;
  const neg = flipped(scan, it);
  const words = () => scan.use(neg, it);
  switch (kw.t) {
    case 'backend': {
      const value = neg ? (kw.v === 'qemu' ? 'docker' : 'qemu') : kw.v;
      scan.claim({ field: 'backend', value, words: words(), pos, strength: 'strong' });
      return;
    }
    case 'display': {
      const value = neg ? (kw.v === 'gui' ? 'headless' : 'gui') : kw.v;
      scan.claim({ field: 'display', value, words: words(), pos, strength: 'strong' });
      return;
    }
    case 'network':
      scan.claim({ field: 'network', value: kw.v, words: scan.use(it), pos, strength: 'strong' });
      return;
    case 'ephemeral':
      scan.claim({
        field: 'ephemeral',
        value: neg ? !kw.v : kw.v,
        words: words(),
        pos,
        strength: 'strong',
      });
      return;
    case 'restart':
      scan.claim({
        field: 'restartPolicy',
        value: kw.v,
        words: scan.use(it),
        pos,
        strength: 'strong',
      });
      return;
    case 'needsVm':
      scan.claim({
        field: 'backend',
        value: 'qemu',
        words: scan.use(it),
        pos,
        note: kw.why,
        strength: 'weak',
      });
      return;
    case 'installer': {
      const words = scan.use(it);
      scan.claim({
        field: 'backend',
        value: 'qemu',
        words,
        pos,
        note: 'installing from an ISO needs a VM',
        strength: 'weak',
      });
      scan.claim({
        field: 'image',
        value: { kind: 'catalog', media: 'installer-iso' },
        words,
        pos,
        strength: 'weak',
      });
      return;
    }
    case 'stack':
      scan.stack = [...(scan.stack ?? []), ...scan.use(it)];
      return;
    case 'unsupportedFeature':
      scan.use(it);
      scan.warn(`"${it.words.join(' ')}": ${kw.reason}.`);
      return;
    case 'correction':
      scan.use(it);
      return;
    case 'noun':
    case 'listJoin':
    case 'listStart':
    case 'each':
      scan.use(it); // understood; they shape other fields but set none themselves
      return;
    default:
      return; // labels and units without a number stay unused
  }
}

/** Numbers nobody could place are said out loud, never silently dropped. */
export function reportLeftovers(scan: Scan): void {
  for (const it of scan.items) {
    if (it.used || it.k !== 'num' || it.digits === null) continue;
    const unit = scan.at(it.idx + 1);
    const text = unit && isKw(unit, 'unit') ? `${it.digits} ${unit.words.join(' ')}` : it.digits;
    scan.warn(`Did not understand "${text}"; it was ignored.`);
  }
}

export function extractKeywords(scan: Scan): void {
  for (const it of scan.items) {
    if (it.used) continue;
    if (it.k === 'key') keyValue(scan, it.key, it);
    else if (it.k === 'kw') keyword(scan, it, it.kw);
    else if (it.k === 'app' && it.alt) keyword(scan, it, it.alt); // "docker" outside a list of apps
  }
}
