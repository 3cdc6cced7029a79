import { useEffect, useState } from 'react';
import type { EnvironmentSummary } from '../../../../../preload/contract';
import { api } from '../../../bridge/api';

export type SshAccess = { available: true } | { available: false; reason: string };

const CHECKING: SshAccess = { available: false, reason: 'Checking whether SSH is available…' };

/**
 * Whether the VM's SSH terminal can open, asked again whenever the VM's state or provisioning
 * stage changes (SSH opens once cloud-init has finished). Containers never ask.
 */
export function useSshAccess(env: EnvironmentSummary): SshAccess {
  const vm = env.backend === 'qemu';
  const key = `${env.id}/${env.state}/${env.provision?.stage ?? ''}/${env.provision?.failed ?? ''}`;
  // Until a new answer arrives the last one for this VM stands, so an open SSH session is not
  // torn down by a re-check that will most likely answer the same.
  const [answer, setAnswer] = useState<{ id: string; access: SshAccess } | null>(null);
  useEffect(() => {
    if (!vm) return;
    let live = true;
    api
      .call('getSshAccess', { id: env.id })
      .then((a) => live && setAnswer({ id: env.id, access: a.available ? { available: true } : a }))
      .catch((e: unknown) => {
        if (live)
          setAnswer({ id: env.id, access: { available: false, reason: (e as Error).message } });
      });
    return () => {
      live = false;
    };
  }, [vm, env.id, key]);
  return answer?.id === env.id ? answer.access : CHECKING;
}
