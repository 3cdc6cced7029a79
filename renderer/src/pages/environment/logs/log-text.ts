/**
 * A console log as plain text: a serial console carries terminal control sequences (colours,
 * cursor moves, title changes) and carriage returns that redraw a line; a text box shows what a
 * terminal would have left on each line.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x1b./g;
// eslint-disable-next-line no-control-regex -- as above; tab and newline stay
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function plainLogText(raw: string): string {
  return raw
    .replace(ESCAPES, '')
    .split('\n')
    .map((line) => {
      const parts = line.replace(/\r+$/, '').split('\r');
      // After a carriage return the terminal wrote over the line from its start.
      let shown = '';
      for (const part of parts) shown = part + shown.slice(part.length);
      return shown.replace(CONTROLS, '');
    })
    .join('\n');
}

/** How much of the log to fetch: the end of it, enough for a boot and then some. */
export const LOG_TAIL_BYTES = 256 * 1024;
