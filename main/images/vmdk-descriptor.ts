/**
 * The files a VMDK makes qemu open, read by us first, so a VMDK naming /etc/shadow is refused
 * before qemu-img ever opens it. Mirrors block/vmdk.c in QEMU:
 *  - a text descriptor: extent lines `RW <sectors> <TYPE> "file" [offset]` are opened, relative
 *    to the descriptor's directory; qemu reads at most 1 MiB of it;
 *  - a binary sparse file (KDMV) whose capacity is 0 and that points at an embedded descriptor:
 *    that descriptor's extents are opened the same way;
 *  - the parent (backing) image: qemu strstr()s "parentFileNameHint" in the first 10 KiB of the
 *    descriptor (offset 0 for text, 0x200 for sparse files) - even inside a comment - and takes
 *    the text after `parentFileNameHint="` up to the next quote.
 *
 * Deliberately over-inclusive: every double-quoted string on a line that is not a comment or a
 * `key = value` setting counts as an extent name. A false positive only refuses an image that
 * names an odd file; a false negative would let one through.
 */

/** qemu reads at most this much of a descriptor (vmdk_read_desc). */
export const DESCRIPTOR_MAX_BYTES = 1024 * 1024 - 1;
/** ... and this much when looking for the parent hint (vmdk_parent_open, DESC_SIZE). */
export const PARENT_HINT_BYTES = 20 * 512;
/** Where a sparse file's embedded descriptor starts, for the parent hint. */
export const SPARSE_DESC_OFFSET = 0x200;

const HINT = 'parentFileNameHint';

export type DescriptorRefs = {
  extents: string[];
  parents: string[];
};

/** Extent names and parent hints in descriptor text. */
export function descriptorRefs(text: string): DescriptorRefs {
  const extents: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) || line.trim() === '') continue;
    if (/^\s*[A-Za-z0-9_.]+\s*=/.test(line)) continue; // a setting, not an extent
    for (const m of line.matchAll(/"([^"\r\n]*)"/g)) extents.push(m[1]!);
  }
  return { extents, parents: parentHints(text.slice(0, PARENT_HINT_BYTES)) };
}

/** Every parent name qemu (or a lenient reader) could take from this text. */
export function parentHints(text: string): string[] {
  const found = new Set<string>();
  for (let at = text.indexOf(HINT); at >= 0; at = text.indexOf(HINT, at + 1)) {
    // qemu: skip the name and two characters (`="`), then up to the next quote.
    const qemuStyle = text.slice(at + HINT.length + 2).split('"')[0];
    if (qemuStyle !== undefined && !qemuStyle.includes('\n')) found.add(qemuStyle);
    // lenient: `parentFileNameHint = "name"` with spaces.
    const lenient = text.slice(at).match(/^parentFileNameHint\s*=\s*"([^"\r\n]*)"/);
    if (lenient) found.add(lenient[1]!);
  }
  return [...found].filter((n) => n !== '');
}

/** The fields of a KDMV (VMDK4 sparse) header that decide whether qemu reads a descriptor. */
export function sparseHeader(head: Buffer): { capacity: bigint; descOffset: bigint } | null {
  if (head.length < 44 || head.toString('latin1', 0, 4) !== 'KDMV') return null;
  return { capacity: head.readBigUInt64LE(12), descOffset: head.readBigUInt64LE(28) };
}
