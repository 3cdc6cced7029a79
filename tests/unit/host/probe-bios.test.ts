import { describe, expect, it } from 'vitest';
import {
  BIOS_SIZE,
  DONE_MARK,
  RESET_VECTOR_OFFSET,
  START_MARK,
  WORK_LOOPS,
  WORK_OFFSET,
  buildProbeBios,
  workCode,
} from '../../../main/host/probe-bios.js';

/** Where a short jump (EB rel8) at `at` lands. */
function shortJumpTarget(image: Buffer, at: number): number {
  expect(image[at]).toBe(0xeb);
  return at + 2 + image.readInt8(at + 1);
}

describe('probe BIOS image', () => {
  const image = buildProbeBios();

  it('is 64 KiB so qemu maps it just below 4 GiB with the reset vector in its last 16 bytes', () => {
    expect(image.length).toBe(BIOS_SIZE);
    expect(BIOS_SIZE - RESET_VECTOR_OFFSET).toBe(16);
  });

  it('prints START_MARK on COM1 at the reset vector, then jumps to the work loop', () => {
    const reset = [...image.subarray(RESET_VECTOR_OFFSET, RESET_VECTOR_OFFSET + 6)];
    expect(reset).toEqual([0xba, 0xf8, 0x03, 0xb0, START_MARK.charCodeAt(0), 0xee]); // mov dx,0x3f8; mov al,'S'; out dx,al
    expect(shortJumpTarget(image, RESET_VECTOR_OFFSET + 6)).toBe(WORK_OFFSET);
  });

  it('runs a 32-bit countdown, prints DONE_MARK and halts forever', () => {
    const w = WORK_OFFSET;
    expect([...image.subarray(w, w + 2)]).toEqual([0x66, 0xb9]); // mov ecx, imm32
    expect(image.readUInt32LE(w + 2)).toBe(WORK_LOOPS);
    expect([...image.subarray(w + 6, w + 8)]).toEqual([0x66, 0x49]); // dec ecx
    expect(image[w + 8]).toBe(0x75); // jnz back to the dec
    expect(w + 10 + image.readInt8(w + 9)).toBe(w + 6);
    expect([...image.subarray(w + 10, w + 13)]).toEqual([0xb0, DONE_MARK.charCodeAt(0), 0xee]);
    expect(image[w + 13]).toBe(0xf4);
    expect(shortJumpTarget(image, w + 14)).toBe(w + 13); // hlt; jmp back to the hlt
  });

  it('fills every other byte with HLT, so a stray jump stops the guest', () => {
    const code = new Set<number>();
    for (let i = WORK_OFFSET; i < RESET_VECTOR_OFFSET + 8; i++) code.add(i);
    const stray = [...image.entries()].filter(([i, b]) => !code.has(i) && b !== 0xf4);
    expect(stray).toEqual([]);
  });

  it('encodes the loop count little-endian and refuses counts that do not fit ecx', () => {
    expect(workCode(0x11223344).slice(2, 6)).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(() => workCode(0)).toThrow(RangeError);
    expect(() => workCode(2 ** 32)).toThrow(RangeError);
  });
});
