import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { CHROMIUM_EXECUTABLE } from './chromium-args.js';

/**
 * Tests that need a real backend call this. Without the backend they skip, except under
 * GENOS_REQUIRE_BACKENDS=1 (CI), where a missing backend is a failure, never a silent skip.
 */
/** dockerd: the daemon binary itself, runnable by us (root), for a test's private engine. */
export type BackendName =
  'qemu' | 'qemu-img' | 'docker' | 'chromium' | 'dockerd' | 'sshd' | 'ovmf' | 'swtpm' | 'strace';

const required = process.env.GENOS_REQUIRE_BACKENDS === '1';

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

const probes: Record<BackendName, () => boolean> = {
  qemu: () => has('qemu-system-x86_64', ['--version']),
  'qemu-img': () => has('qemu-img', ['--version']),
  docker: () => has('docker', ['info', '--format', '{{.ServerVersion}}']),
  chromium: () => fs.existsSync(CHROMIUM_EXECUTABLE),
  dockerd: () =>
    ['/usr/sbin/dockerd', '/usr/bin/dockerd'].some((p) => fs.existsSync(p)) &&
    process.getuid?.() === 0,
  // An OpenSSH server standing in for a guest's sshd (SSH terminal tests), and the client.
  sshd: () =>
    fs.existsSync('/usr/sbin/sshd') && has('ssh', ['-V']) && fs.existsSync('/usr/bin/ssh-keygen'),
  // UEFI firmware (Debian's ovmf) and the software TPM, for UEFI / Windows 11 shaped VMs.
  ovmf: () =>
    fs.existsSync('/usr/share/OVMF/OVMF_CODE_4M.fd') &&
    fs.existsSync('/usr/share/OVMF/OVMF_CODE_4M.ms.fd'),
  swtpm: () => has('swtpm', ['--version']),
  // Watches a download's system calls (the order of its fsyncs and rename).
  strace: () => has('strace', ['-f', '-e', 'trace=none', 'true']),
};

const cache = new Map<BackendName, boolean>();

/** True when the backend is present; throws under GENOS_REQUIRE_BACKENDS=1 when it is not. */
export function backendAvailable(name: BackendName): boolean {
  let ok = cache.get(name);
  if (ok === undefined) {
    ok = probes[name]();
    cache.set(name, ok);
  }
  if (!ok && required) {
    throw new Error(`GENOS_REQUIRE_BACKENDS=1 but ${name} is not available on this machine`);
  }
  return ok;
}
