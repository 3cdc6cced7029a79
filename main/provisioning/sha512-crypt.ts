import { createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * SHA-512 crypt ("$6$", Ulrich Drepper's specification, what `openssl passwd -6` and glibc's
 * crypt() produce). Implemented here because Node's crypto has SHA-512 but not crypt(): the
 * guest's /etc/shadow then never sees the plain password, and user-data (readable on the seed
 * ISO and by any user of the guest under /var/lib/cloud) holds only the hash. Checked against
 * the specification's test vectors and against openssl in the tests.
 */

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;

// The byte order of the final encoding, fixed by the specification.
const ORDER: Array<[number, number, number]> = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

const sha512 = (...parts: Buffer[]) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Repeats `block` (64 bytes) to `length` bytes. */
function stretch(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 64) block.copy(out, i, 0, Math.min(64, length - i));
  return out;
}

export function sha512Crypt(password: string, salt: string, rounds = DEFAULT_ROUNDS): string {
  if (!/^[./0-9A-Za-z]{1,16}$/.test(salt))
    throw new Error('salt: 1-16 characters of [./0-9A-Za-z]');
  const r = Math.min(999_999_999, Math.max(1000, Math.floor(rounds)));
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt, 'ascii');
  const B = sha512(P, S, P);
  const a = createHash('sha512').update(P).update(S);
  let cnt = P.length;
  for (; cnt > 64; cnt -= 64) a.update(B);
  a.update(B.subarray(0, cnt));
  for (cnt = P.length; cnt > 0; cnt >>= 1) a.update(cnt & 1 ? B : P);
  const A = a.digest();
  const dp = createHash('sha512');
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pseq = stretch(dp.digest(), P.length);
  const ds = createHash('sha512');
  for (let i = 0; i < 16 + A[0]!; i++) ds.update(S);
  const Sseq = ds.digest().subarray(0, S.length);
  let C = A;
  for (let i = 0; i < r; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? Pseq : C);
    if (i % 3) h.update(Sseq);
    if (i % 7) h.update(Pseq);
    h.update(i & 1 ? C : Pseq);
    C = h.digest();
  }
  let out = '';
  const enc = (w: number, n: number) => {
    for (let k = 0; k < n; k++, w >>= 6) out += ITOA64[w & 0x3f];
  };
  for (const [x, y, z] of ORDER) enc((C[x]! << 16) | (C[y]! << 8) | C[z]!, 4);
  enc(C[63]!, 2);
  const prefix = r === DEFAULT_ROUNDS && rounds === DEFAULT_ROUNDS ? '$6$' : `$6$rounds=${r}$`;
  return `${prefix}${salt}$${out}`;
}

export function randomSalt(): string {
  return [...randomBytes(16)].map((b) => ITOA64[b & 0x3f]).join('');
}

/** No 0/O, 1/l/I: the password is read off the screen and typed into a console. */
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 20 characters (~115 bits) in groups of 5, e.g. "k3Fzq-8pWta-...": strong, and easy to copy. */
export function generatePassword(): string {
  const chars = Array.from(
    { length: 20 },
    () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]!,
  );
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}
