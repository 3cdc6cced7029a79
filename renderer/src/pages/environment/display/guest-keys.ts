/**
 * Text -> the key presses that type it. A VGA text console (or a login prompt) has no
 * clipboard: what reaches it is keys. VNC's ClientCutText (noVNC's clipboardPasteFrom) only
 * reaches a guest that runs a clipboard agent, so "Type into guest" sends key events instead.
 *
 * Each character becomes its X keysym; QEMU's VNC server maps keysyms to scancodes with its
 * keymap (en-us unless configured), choosing by the current Shift state, so characters that need
 * Shift on a US keyboard are sent with Shift held.
 */

export type GuestKey = { keysym: number; shift: boolean };

export const KEYSYM = {
  shiftLeft: 0xffe1,
  return: 0xff0d,
  tab: 0xff09,
  backspace: 0xff08,
} as const;

const SHIFTED = new Set('~!@#$%^&*()_+{}|:"<>?');

/** At most this many characters per "Type into guest" (each is two or four key events). */
export const MAX_TYPED_CHARS = 4096;

export function keysymFor(char: string): number | null {
  const code = char.codePointAt(0);
  if (code === undefined) return null;
  if (char === '\n' || char === '\r') return KEYSYM.return;
  if (char === '\t') return KEYSYM.tab;
  if (char === '\b') return KEYSYM.backspace;
  // Other control characters have no key of their own.
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) return null;
  // Latin-1 keysyms equal their code points; the rest of Unicode is 0x01000000 + code point.
  return code <= 0xff ? code : 0x01000000 + code;
}

export function textToKeys(text: string): GuestKey[] {
  const keys: GuestKey[] = [];
  // \r\n (pasted from Windows) is one Enter, not two.
  for (const char of text.replace(/\r\n/g, '\n')) {
    const keysym = keysymFor(char);
    if (keysym === null) continue;
    keys.push({ keysym, shift: (char >= 'A' && char <= 'Z') || SHIFTED.has(char) });
  }
  return keys;
}

/** Presses the keys one after the other through `sendKey(keysym, down)`. */
export function typeKeys(keys: GuestKey[], sendKey: (keysym: number, down: boolean) => void) {
  for (const key of keys) {
    if (key.shift) sendKey(KEYSYM.shiftLeft, true);
    sendKey(key.keysym, true);
    sendKey(key.keysym, false);
    if (key.shift) sendKey(KEYSYM.shiftLeft, false);
  }
}
