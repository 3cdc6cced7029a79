/**
 * Port forwards in the ways people write them:
 *   -p 8080:80, publish 8080:80/udp, ports: 80, 443      host:guest, Docker's order
 *   forward 2222 to 22, map 8080 -> 80                    "X to Y": host X, guest Y
 *   publish 80 on 8081, expose ssh on 2222, expose 80 as 8080   "X on/as Y": guest X, host Y
 *   expose 8888, port 3000                                the same port on both sides
 *   nginx exposed on 8080, ssh on port 2222               a named service: its port inside
 *   forward host 2222 to guest 22                         explicit sides win
 */
import type { PortForward } from '../../preload/spec.js';
import { findApp } from './catalog.js';
import { SERVICE_PORTS } from './keywords.js';
import { table } from './lookup.js';
import type { Item } from './lexer.js';
import { isKw, isWord, type Scan } from './scan.js';

type Verb = 'publish' | 'expose' | 'forward' | 'map' | 'port';
type Side = 'host' | 'guest' | null;
type Parsed = {
  host: number;
  guest: number;
  protocol: 'tcp' | 'udp';
  used: Item[];
  single: boolean;
};

const SPEC_RE = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d{1,9})(?::(\d{1,9}))?(?:\/(tcp|udp))?$/;
const SIDE_WORDS = table<Side>({
  host: 'host',
  local: 'host',
  localhost: 'host',
  outside: 'host',
  guest: 'guest',
  vm: 'guest',
  container: 'guest',
  inside: 'guest',
  internal: 'guest',
});
const INNER = ['the', 'a', 'port', 'ports', 'number', 'its', 'my', 'of', 'tcp', 'traffic'];
const ARROWS = ['->', '=>', '→', '⇒', ':'];
const HOST_FIRST_LINKS = [...ARROWS, 'to', 'onto', 'from'];
const GUEST_FIRST_LINKS = ['on', 'as', 'at', 'via', 'through'];

function serviceWord(it: Item | undefined): string | null {
  if (it?.k === 'word') return it.w;
  if (it?.k === 'app') return it.words.join(' ').toLowerCase();
  return null;
}

function servicePort(it: Item | undefined): number | null {
  const w = serviceWord(it);
  if (w !== null && w in SERVICE_PORTS) return SERVICE_PORTS[w]!;
  if (it?.k === 'app') return findApp(it.id)?.ports?.[0] ?? null;
  return null;
}

function portNumber(it: Item | undefined): number | null {
  if (!it || it.used) return null;
  if (it.k === 'num' && it.digits !== null && !it.digits.includes('.')) return it.value;
  return servicePort(it);
}

class Reader {
  used: Item[] = [];
  constructor(
    private scan: Scan,
    public i: number,
  ) {}
  peek(): Item | undefined {
    return this.scan.at(this.i);
  }
  take(): Item {
    const it = this.scan.at(this.i++)!;
    this.used.push(it);
    return it;
  }
  skipInner(): void {
    while (isWord(this.peek(), ...INNER) || isKw(this.peek(), 'portVerb')) this.take();
  }
  /** "host", "guest", "vm", "container" before a number say which side it is. */
  side(): Side {
    const it = this.peek();
    const w =
      it?.k === 'word'
        ? it.w
        : it?.k === 'kw' && it.kw.t === 'backend'
          ? it.words.join(' ').toLowerCase()
          : null;
    if (w === null || !(w in SIDE_WORDS)) return null;
    // A backend word stays free for the backend extractor ("to container 80" still says container).
    if (it!.k === 'kw') this.i++;
    else this.take();
    this.skipInner();
    return SIDE_WORDS[w]!;
  }
}

function readSpec(scan: Scan, start: number, verb: Verb): Parsed | null {
  const r = new Reader(scan, start);
  r.skipInner();
  const firstSide = r.side();
  const first = r.peek();
  if (first?.k === 'word' && !first.used) {
    const m = SPEC_RE.exec(first.w);
    if (m) {
      r.take();
      const a = Number(m[2]);
      const b = m[3] === undefined ? a : Number(m[3]);
      return {
        host: a,
        guest: b,
        protocol: m[4] === 'udp' ? 'udp' : 'tcp',
        used: r.used,
        single: m[3] === undefined,
      };
    }
  }
  const x = portNumber(first);
  if (x === null) return null;
  r.take();
  const link = r.peek();
  const linkWord = link?.k === 'op' ? link.op : link?.k === 'word' ? link.w : null;
  if (
    linkWord !== null &&
    (HOST_FIRST_LINKS.includes(linkWord) || GUEST_FIRST_LINKS.includes(linkWord))
  ) {
    const save = { i: r.i, n: r.used.length };
    r.take();
    r.skipInner();
    const secondSide = r.side();
    const y = portNumber(r.peek());
    if (y !== null) {
      r.take();
      // "forward 2222 to 22" is host -> guest; "expose 80 to 8080" and "publish 80 on 8081" name
      // the guest's port first.
      let hostFirst = HOST_FIRST_LINKS.includes(linkWord);
      if (linkWord === 'to' && (verb === 'expose' || verb === 'publish')) hostFirst = false;
      if (firstSide === 'guest' || secondSide === 'host') hostFirst = false;
      if (firstSide === 'host' || secondSide === 'guest') hostFirst = true;
      const [host, guest] = hostFirst ? [x, y] : [y, x];
      return { host, guest, protocol: 'tcp', used: r.used, single: false };
    }
    r.i = save.i;
    r.used.length = save.n;
  }
  return { host: x, guest: x, protocol: 'tcp', used: r.used, single: true };
}

function claimPort(scan: Scan, p: Parsed, extra: Item[], pos: number): void {
  for (const n of [p.host, p.guest]) {
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      scan.fail(`Port ${n} is outside 1-65535, so it cannot be forwarded.`);
    }
  }
  const words = scan.use(...extra, ...p.used);
  const value: PortForward = { host: p.host, guest: p.guest, protocol: p.protocol };
  scan.claim({ field: 'port', value, words, pos, strength: 'strong' });
}

function verbOf(it: Item): Verb | null {
  if (it.k === 'kw' && it.kw.t === 'portVerb') return it.kw.v;
  if (it.k === 'key' && it.key === 'ports') return 'port';
  return null;
}

/** "nginx exposed on 8080": the service before the verb is the guest side. */
function serviceBefore(scan: Scan, verbIdx: number): Item | undefined {
  let j = verbIdx - 1;
  // "nginx container exposed on 8080": skip little words and the noun that names the box
  const skip = (it: Item | undefined) =>
    isWord(it, 'on', 'at', 'is', 'be', 'the') || isKw(it, 'backend') || isKw(it, 'noun');
  while (j >= 0 && skip(scan.at(j))) j--;
  const it = scan.at(j);
  return it && servicePort(it) !== null ? it : undefined;
}

export function extractPorts(scan: Scan): void {
  for (const it of scan.items) {
    const verb = it.used ? null : verbOf(it);
    if (!verb) continue;
    let start = it.idx + 1;
    while (isWord(scan.at(start), 'on', 'at')) start++;
    let extra: Item[] = scan.items.slice(it.idx, start);
    // One verb may carry a list: "publish 80 and 443", "ports: 8080:80, 8443:443".
    for (;;) {
      const p = readSpec(scan, start, verb);
      if (!p) break;
      const service = extra.length > 0 && p.single ? serviceBefore(scan, it.idx) : undefined;
      if (service) {
        p.guest = servicePort(service)!;
        if (service.k !== 'app') p.used.push(service); // an app stays wanted as an app
      }
      claimPort(scan, p, extra, it.idx);
      extra = [];
      const sep = scan.at(p.used[p.used.length - 1]!.idx + 1);
      if (!sep || !((sep.k === 'sep' && sep.sep === ',') || isKw(sep, 'listJoin'))) break;
      if (!readSpec(scan, sep.idx + 1, verb)) break;
      scan.use(sep);
      start = sep.idx + 1;
    }
  }
  // Unlabelled "8080:80" and "8080->80" read as forwards too.
  for (const it of scan.items) {
    if (it.used) continue;
    const nextOp = scan.at(it.idx + 1);
    const arrow = nextOp?.k === 'op' && ARROWS.slice(0, 4).includes(nextOp.op);
    if (
      (it.k === 'word' && /^\d{1,9}:\d{1,9}(?:\/(?:tcp|udp))?$/.test(it.w)) ||
      (it.k === 'num' && arrow)
    ) {
      const p = readSpec(scan, it.idx, 'forward');
      if (p && !p.single) claimPort(scan, p, [], it.idx);
    }
  }
}
