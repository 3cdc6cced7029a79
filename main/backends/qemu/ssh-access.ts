import { GenosError } from '../../core/errors.js';
import { DEFAULT_GUEST_USER } from '../../provisioning/guest-seed.js';
import { readEnvSshKey } from '../../provisioning/ssh-key.js';
import type { SshTarget } from '../../streams/pty-ssh.js';
import type { EnvRef } from '../backend.js';
import { readCredentials } from './credentials.js';
import { readProvisionOutcome } from './first-boot-watch.js';
import type { QemuInstance } from './qemu-instance.js';
import { sshPortFromArgv } from './ssh-forward.js';
import { isCloudImage } from '../../../preload/contract.js';

/**
 * Where GenOS's SSH terminal logs into a running VM, or why it cannot. Only catalog VMs qualify:
 * their guest trusts the environment's key through the cloud-init seed. Each refusal says what
 * to do instead, and the UI shows it beside the disabled SSH choice.
 */
export async function sshTargetFor(
  env: EnvRef,
  envDir: string,
  inst: QemuInstance | null,
): Promise<SshTarget> {
  const name = env.spec.name;
  if (!isCloudImage(env.spec.image)) {
    throw new GenosError(
      'UNSUPPORTED',
      `${name} is not from the OS catalog's cloud images, so its guest does not trust a GenOS key: use the serial console, or ssh to a forwarded port with the login you made.`,
    );
  }
  if (env.spec.network.mode === 'none') {
    throw new GenosError(
      'UNSUPPORTED',
      `${name} has no network card (network "none"), so nothing can reach its SSH server: use the serial console, or set its network to "isolated" or "nat".`,
    );
  }
  if (!inst) throw new GenosError('CONFLICT', `${name} is not running: start it to use SSH.`);
  const port = sshPortFromArgv(inst.record.argv);
  if (port === null) {
    throw new GenosError(
      'CONFLICT',
      `${name} was started without a forward to its SSH port (by an earlier GenOS): restart it to use SSH.`,
    );
  }
  // A failed provisioning still created the user and sshd (a missing package does not stop it).
  if (!(await readProvisionOutcome(envDir))) {
    throw new GenosError(
      'CONFLICT',
      `${name} is still being set up (first boot): SSH works once cloud-init has finished.`,
    );
  }
  const key = await readEnvSshKey(envDir);
  if (!key) {
    throw new GenosError(
      'UNSUPPORTED',
      `${name} was set up before GenOS made SSH keys for its VMs, so its guest does not trust one: use the serial console, or ssh -p ${port} with its password.`,
    );
  }
  const creds = await readCredentials(envDir);
  return {
    port,
    user: creds?.user ?? DEFAULT_GUEST_USER,
    privateKeyPath: key.privateKeyPath,
    knownHostsPath: key.knownHostsPath,
    hostKeyAlias: `genos-${env.id}`,
  };
}
