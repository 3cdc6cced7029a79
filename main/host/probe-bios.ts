/**
 * The KVM probe guest: a 64 KiB "BIOS" image of hand-assembled 16-bit code, so probing needs no
 * disk image, no kernel and no network.
 *
 * A guest that merely prints one byte is not enough: on nested hosts where /dev/kvm exists but
 * every guest instruction traps (measured: ~0.5 us per instruction, ~250x slower than TCG), the
 * first byte still arrives within 60 ms while a real kernel never reaches its console. So the
 * guest prints START_MARK at the reset vector, runs a fixed busy loop, then prints DONE_MARK:
 * working KVM or TCG finish the loop in tens of milliseconds, a broken KVM misses the deadline.
 */

export const BIOS_SIZE = 0x10000;
/** Where an x86 CPU starts after reset (CS base 0xFFFF0000, IP 0xFFF0): the image's last 16 bytes. */
export const RESET_VECTOR_OFFSET = 0xfff0;
/** The busy loop sits in the 16 bytes just below the reset vector, reached by a short jump. */
export const WORK_OFFSET = 0xffe0;
export const START_MARK = 'S';
export const DONE_MARK = 'K';
/** ~20-40 ms under TCG, a few ms under working KVM, several seconds under trapping KVM. */
export const WORK_LOOPS = 0x01000000;

const HLT = 0xf4;
const COM1 = 0x3f8;

function le16(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}

function le32(n: number): number[] {
  return [...le16(n & 0xffff), ...le16(n >>> 16)];
}

/** Reset vector: mov dx,COM1; mov al,START; out dx,al; jmp short WORK_OFFSET. */
export function resetVectorCode(): number[] {
  const code = [0xba, ...le16(COM1), 0xb0, START_MARK.charCodeAt(0), 0xee];
  const jmpEnd = RESET_VECTOR_OFFSET + code.length + 2;
  return [...code, 0xeb, (WORK_OFFSET - jmpEnd) & 0xff];
}

/** Work: mov ecx,loops; 1: dec ecx; jnz 1b; mov al,DONE; out dx,al; 2: hlt; jmp 2b. */
export function workCode(loops: number = WORK_LOOPS): number[] {
  if (!Number.isInteger(loops) || loops < 1 || loops > 0xffffffff) {
    throw new RangeError(`loop count out of range: ${loops}`);
  }
  return [
    ...[0x66, 0xb9, ...le32(loops)], // 0x66: 32-bit operand in 16-bit real mode
    ...[0x66, 0x49], // dec ecx
    ...[0x75, 0xfc], // jnz -4 (back to dec)
    ...[0xb0, DONE_MARK.charCodeAt(0), 0xee],
    ...[HLT, 0xeb, 0xfd], // hlt forever, even if an interrupt wakes it
  ];
}

/** The whole image; every other byte is HLT so a stray jump stops instead of running garbage. */
export function buildProbeBios(loops: number = WORK_LOOPS): Buffer {
  const image = Buffer.alloc(BIOS_SIZE, HLT);
  const work = workCode(loops);
  const reset = resetVectorCode();
  if (
    WORK_OFFSET + work.length > RESET_VECTOR_OFFSET ||
    reset.length > BIOS_SIZE - RESET_VECTOR_OFFSET
  ) {
    throw new Error('probe BIOS code does not fit its slots');
  }
  image.set(work, WORK_OFFSET);
  image.set(reset, RESET_VECTOR_OFFSET);
  return image;
}
