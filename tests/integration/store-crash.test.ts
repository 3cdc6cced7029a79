import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClaims, verifyClaims, type CrashClaim } from '../helpers/store-crash-verify.js';
import { tempDataDir } from '../helpers/store-temp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = path.join(ROOT, 'tests/helpers/store-crash-child.ts');
const ROUNDS = 25;
const LANES = 2;

type Round = {
  round: number;
  claims: CrashClaim[];
  signal: NodeJS.Signals | null;
  walBytes: number;
  problems: string[];
};

/**
 * Starts the writer and SIGKILLs it once it has reported `afterCommits` commits. The child never
 * pauses, so at that moment it is inside some later transaction of a burst.
 */
function crashOnce(
  dataDir: string,
  round: number,
  afterCommits: number,
): Promise<Omit<Round, 'round' | 'problems' | 'walBytes'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(round)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (child.killed || !out.includes('READY')) return;
      if ((out.match(/^C /gm)?.length ?? 0) >= afterCommits) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(new Error(`crash child exited by itself (code ${code}): ${err}`));
      else resolve({ claims: parseClaims(out), signal });
    });
  });
}

describe('store durability under SIGKILL', () => {
  let tmp: ReturnType<typeof tempDataDir>;
  const rounds: Round[] = [];
  // Two data dirs crashed in turn, so child start-up (most of the time) overlaps.
  const lanes = Array.from({ length: LANES }, () => ({ dir: '', claims: [] as CrashClaim[] }));

  beforeAll(async () => {
    tmp = tempDataDir('genos-crash-');
    await Promise.all(
      lanes.map(async (lane, l) => {
        lane.dir = path.join(tmp.dir, `lane-${l}`);
        for (let round = l; round < ROUNDS; round += LANES) {
          // Mostly mid-stream; some right after open, when the first burst is in flight.
          const afterCommits = round % 5 === 0 ? 0 : 1 + Math.floor(Math.random() * 600);
          const r = await crashOnce(lane.dir, round, afterCommits);
          const wal = path.join(lane.dir, 'genos.db-wal');
          const walBytes = fs.existsSync(wal) ? fs.statSync(wal).size : 0;
          lane.claims.push(...r.claims);
          // Reopen after every kill: recovery of a hot WAL is what is under test.
          rounds.push({ ...r, round, walBytes, problems: verifyClaims(lane.dir, r.claims) });
        }
      }),
    );
  }, 60_000);

  afterAll(() => tmp.cleanup());

  it('was really killed mid-write, many times', () => {
    expect(rounds).toHaveLength(ROUNDS);
    expect(rounds.every((r) => r.signal === 'SIGKILL')).toBe(true);
    expect(lanes.flatMap((l) => l.claims).length).toBeGreaterThan(ROUNDS * 10);
    // Uncheckpointed commits were left behind in the WAL, so reopening had to recover them.
    expect(rounds.filter((r) => r.walBytes > 0).length).toBeGreaterThan(ROUNDS / 2);
  });

  it('keeps every reported commit, with integrity_check ok and the schema current', () => {
    expect(rounds.flatMap((r) => r.problems.map((p) => `round ${r.round}: ${p}`))).toEqual([]);
    for (const lane of lanes) expect(verifyClaims(lane.dir, lane.claims)).toEqual([]);
  });

  it('would notice a lost commit (the check can fail)', () => {
    const { dir, claims: all } = lanes[0]!;
    const env = all.find((c): c is Extract<CrashClaim, { t: 'env' }> => c.t === 'env')!;
    const batch = all.find((c): c is Extract<CrashClaim, { t: 'events' }> => c.t === 'events')!;
    const fabricated: CrashClaim[] = [
      { t: 'env', id: 'neverwritten', name: 'ghost', seq: 10_000_002, action: 'create:ghost' },
      { t: 'events', first: 10_000_000, last: 10_000_001, tag: 'ghost' },
      { t: 'state', id: env.id, step: 1_000_000, seq: 10_000_003, action: 'state:ghost' },
    ];
    expect(verifyClaims(dir, [...all, ...fabricated])).toEqual([
      'environment neverwritten (ghost) missing',
      'event 10000002: expected create:ghost, found nothing',
      'event 10000000: expected ghost-0, found nothing',
      'event 10000001: expected ghost-1, found nothing',
      'event 10000003: expected state:ghost, found nothing',
      expect.stringMatching(
        // -1: the crash came before any state change of it was committed.
        new RegExp(`^environment ${env.id}: state step (-1|\\d+) < reported 1000000$`),
      ),
    ]);

    // Remove real, reported rows from a copy of the database: the check must name exactly them.
    const copy = tempDataDir('genos-crash-copy-');
    try {
      for (const f of ['genos.db', 'genos.db-wal']) {
        if (fs.existsSync(path.join(dir, f)))
          fs.copyFileSync(path.join(dir, f), path.join(copy.dir, f));
      }
      const db = new Database(path.join(copy.dir, 'genos.db'));
      db.exec('DROP TRIGGER events_no_delete');
      db.prepare('DELETE FROM events WHERE seq = ?').run(batch.last);
      db.prepare('DELETE FROM environments WHERE id = ?').run(env.id);
      db.close();
      const steps = all.flatMap((c) => (c.t === 'state' && c.id === env.id ? [c.step] : []));
      expect(verifyClaims(copy.dir, all)).toEqual([
        `environment ${env.id} (${env.name}) missing`,
        `event ${batch.last}: expected ${batch.tag}-${batch.last - batch.first}, found nothing`,
        ...(steps.length
          ? [`environment ${env.id}: state step -1 < reported ${Math.max(...steps)}`]
          : []),
      ]);
    } finally {
      copy.cleanup();
    }
  });
});
