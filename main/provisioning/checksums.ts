/**
 * Parses the checksum files distributions publish next to their images. Formats seen in the
 * catalog: GNU coreutils (`<hex>  <name>` or `<hex> *<name>`: Ubuntu SHA256SUMS, Debian
 * SHA512SUMS, Arch, Alpine), BSD tags (`SHA256 (<name>) = <hex>`: Fedora/Rocky/Alma CHECKSUM,
 * FreeBSD CHECKSUM.SHA256), and a file holding only the hex digest. Fedora's file is PGP clear-
 * signed: the armour lines are skipped, the signature itself is NOT verified (no keyring here).
 */

export type ChecksumAlgo = 'sha256' | 'sha512';
export type Checksum = { algo: ChecksumAlgo; hex: string };

const ALGO_BY_HEX_LENGTH: Record<number, ChecksumAlgo> = { 64: 'sha256', 128: 'sha512' };
const GNU_LINE = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{128}) [ *]?(.+)$/;
const BSD_LINE = /^(SHA256|SHA512) ?\((.+)\) ?= ?([0-9a-fA-F]+)$/;
const BARE = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/;

export type ChecksumFile = {
  /** file name (as written, without a leading "./" or "*") -> checksum */
  entries: Map<string, Checksum>;
  /** Set when the file is just a digest with no name: it applies to the one file it sits beside. */
  bare: Checksum | null;
};

export function parseChecksumFile(text: string): ChecksumFile {
  const entries = new Map<string, Checksum>();
  let bare: Checksum | null = null;
  let inSignature = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('-----BEGIN PGP SIGNATURE')) inSignature = true;
    if (line.startsWith('-----END PGP SIGNATURE')) inSignature = false;
    if (!line || inSignature || line.startsWith('#') || line.startsWith('-----')) continue;
    if (/^Hash: /.test(line)) continue; // clear-signed header
    const bsd = BSD_LINE.exec(line);
    if (bsd) {
      const algo = bsd[1] === 'SHA256' ? 'sha256' : 'sha512';
      const hex = bsd[3]!.toLowerCase();
      if (hex.length === (algo === 'sha256' ? 64 : 128)) entries.set(clean(bsd[2]!), { algo, hex });
      continue;
    }
    const gnu = GNU_LINE.exec(line);
    if (gnu) {
      const hex = gnu[1]!.toLowerCase();
      entries.set(clean(gnu[2]!), { algo: ALGO_BY_HEX_LENGTH[hex.length]!, hex });
      continue;
    }
    const b = BARE.exec(line);
    if (b) bare = { algo: ALGO_BY_HEX_LENGTH[b[1]!.length]!, hex: b[1]!.toLowerCase() };
  }
  return { entries, bare: entries.size === 0 ? bare : null };
}

function clean(name: string): string {
  return name.trim().replace(/^\*/, '').replace(/^\.\//, '');
}

/** The checksum for `fileName`: an exact entry, else one whose base name matches, else a bare digest. */
export function findChecksum(file: ChecksumFile, fileName: string): Checksum | null {
  const exact = file.entries.get(fileName);
  if (exact) return exact;
  for (const [name, sum] of file.entries) {
    if (name.split('/').pop() === fileName) return sum;
  }
  return file.bare;
}

/** Accepts a hex digest given directly (64 hex = SHA-256, 128 hex = SHA-512). */
export function checksumFromHex(hex: string): Checksum | null {
  const h = hex.trim().toLowerCase();
  if (!BARE.test(h)) return null;
  return { algo: ALGO_BY_HEX_LENGTH[h.length]!, hex: h };
}
