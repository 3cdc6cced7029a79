import { KEYSYM } from './guest-keys';

/**
 * X keysyms (what "Type into guest" and Ctrl+Alt+Del produce, see guest-keys.ts) -> PC scan codes
 * (set 1), which is what SPICE's inputs channel carries. VNC sends keysyms and lets qemu map
 * them; SPICE sends physical keys, so the mapping for a US layout lives here. A character that
 * needs Shift maps to its unshifted key: typeKeys() holds Shift around it.
 */

const ROWS: ReadonlyArray<[string, string, number]> = [
  // [unshifted keys, shifted keys, scan code of the first]
  ['1234567890-=', '!@#$%^&*()_+', 0x02],
  ['qwertyuiop[]', 'QWERTYUIOP{}', 0x10],
  ["asdfghjkl;'`", 'ASDFGHJKL:"~', 0x1e],
  ['\\zxcvbnm,./', '|ZXCVBNM<>?', 0x2b],
];

const BY_CHAR = new Map<number, number>();
for (const [plain, shifted, first] of ROWS) {
  for (let i = 0; i < plain.length; i++) {
    BY_CHAR.set(plain.charCodeAt(i), first + i);
    BY_CHAR.set(shifted.charCodeAt(i), first + i);
  }
}
BY_CHAR.set(0x20, 0x39); // space

export const SCANCODE = {
  ctrlLeft: 0x1d,
  altLeft: 0x38,
  shiftLeft: 0x2a,
  enter: 0x1c,
  tab: 0x0f,
  backspace: 0x0e,
  /** Delete is an extended key: E0 53. */
  delete: 0x153,
} as const;

/** The scan code for a keysym, or null when a US keyboard has no key for it. */
export function scancodeForKeysym(keysym: number): number | null {
  switch (keysym) {
    case KEYSYM.shiftLeft:
      return SCANCODE.shiftLeft;
    case KEYSYM.return:
      return SCANCODE.enter;
    case KEYSYM.tab:
      return SCANCODE.tab;
    case KEYSYM.backspace:
      return SCANCODE.backspace;
    default:
      return BY_CHAR.get(keysym) ?? null;
  }
}

/**
 * The code field of SPICE's KEY_DOWN / KEY_UP messages: the scan code bytes in wire order, so an
 * extended key (0x1xx here) is E0 then the code, and a release sets the high bit of the code.
 */
export function spiceKeyCode(scancode: number, down: boolean): number {
  const release = down ? 0 : 0x80;
  if (scancode < 0x100) return scancode | release;
  return 0xe0 | (((scancode & 0xff) | release) << 8);
}
