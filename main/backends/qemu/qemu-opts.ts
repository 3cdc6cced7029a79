import path from 'node:path';
import { GenosError } from '../../core/errors.js';

/**
 * Guards for every string that reaches a qemu argv. qemu parses most option values as
 * "key=value,key=value" (QemuOpts / keyval): a comma inside a value starts a new key unless it is
 * doubled, so a path or name with a comma could add options of its own ("x,hostfwd=..."). Values
 * that qemu parses that way go through `optValue` (",," escaping); values it takes verbatim
 * (-kernel, -initrd, -append, -pidfile) must NOT be escaped, only checked.
 */

// Control characters have no business in a path, name or kernel command line, and a newline in
// one would also forge lines in logs that show the argv.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Throws BAD_ARGS when `value` holds a control character (NUL, newline, escape, ...). */
export function checkPlain(value: string, what: string): string {
  if (CONTROL.test(value)) {
    throw new GenosError(
      'BAD_ARGS',
      `The ${what} contains a control character (newline, NUL, ...): rename it and try again.`,
    );
  }
  return value;
}

/** A value inside a QemuOpts/keyval option: checked, and commas doubled per qemu's ",," rule. */
export function optValue(value: string, what: string): string {
  return checkPlain(value, what).replaceAll(',', ',,');
}

/**
 * A host path handed to qemu: absolute (no surprises from qemu's working directory, and a leading
 * "/" rules out qemu's "protocol:" and "json:" filename prefixes) and free of control characters.
 */
export function hostPath(p: string, what: string): string {
  checkPlain(p, what);
  if (!path.isAbsolute(p)) {
    throw new GenosError('BAD_ARGS', `The ${what} path "${p}" must be absolute.`);
  }
  return path.normalize(p);
}

/** The longest path a unix socket address can hold on Linux (sun_path is 108 bytes with NUL). */
export const UNIX_PATH_MAX = 107;

export function checkSocketPath(p: string, what: string): string {
  if (Buffer.byteLength(p) > UNIX_PATH_MAX) {
    throw new GenosError(
      'BAD_ARGS',
      `The ${what} socket path is ${Buffer.byteLength(p)} bytes, over the ${UNIX_PATH_MAX}-byte ` +
        `limit of unix sockets: use a shorter data directory (--data-dir or GENOS_DATA_DIR).`,
    );
  }
  return hostPath(p, `${what} socket`);
}
