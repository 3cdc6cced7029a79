import { useEffect, useState } from 'react';
import type { ApiErrorShape, EnvironmentSummary } from '../../../../preload/contract';
import { api } from '../../bridge/api';
import { ErrorNotice } from '../../components/error-notice';
import { errorShape } from '../../state/load-status';
import { useImagesStore } from '../../state/images-store';

type SpecView = {
  image?: { kind?: string; imageId?: string; media?: string };
  installed?: boolean;
  os?: { id?: string; version?: string | null };
};

/** The ISO this VM is still installing from (library or catalog), or null (not an ISO, or
 * installed). */
export function useInstallingIso(env: EnvironmentSummary): string | null {
  const spec = env.spec as SpecView;
  const imageId = spec.image?.kind === 'library' ? spec.image.imageId : undefined;
  const images = useImagesStore((store) => store.items);
  const status = useImagesStore((store) => store.status);
  const load = useImagesStore((store) => store.load);
  useEffect(() => {
    if (imageId && status === 'idle') void load();
  }, [imageId, status, load]);
  if (env.backend !== 'qemu' || spec.installed) return null;
  if (spec.image?.kind === 'catalog' && spec.image.media === 'installer-iso')
    return ['the', spec.os?.id, spec.os?.version, 'installer ISO'].filter(Boolean).join(' ');
  if (!imageId) return null;
  const image = images.find((item) => item.id === imageId);
  return image?.format === 'iso' ? image.name : null;
}

/**
 * An ISO install in progress: the installer runs in the Display tab; once it is done, "Finish
 * installation" detaches the ISO (ejected at once if the VM runs) so the VM boots its disk.
 */
export function FinishInstall({ env }: { env: EnvironmentSummary }) {
  const iso = useInstallingIso(env);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  if (!iso) return null;
  const transitional = !['running', 'paused', 'stopped', 'failed', 'draft'].includes(env.state);

  async function finish() {
    setBusy(true);
    setError(null);
    try {
      await api.call('finishInstall', { id: env.id });
    } catch (err) {
      setError(errorShape(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="notice" role="group" aria-label="Installation">
      <p>
        {env.name} boots the installer <strong>{iso}</strong>: install the system onto its disk in
        the Display tab. When the installer has finished, finish the installation here so the VM
        boots from its disk from then on.
      </p>
      <button
        type="button"
        className="button--small"
        aria-busy={busy}
        disabled={busy || transitional}
        onClick={() => void finish()}
      >
        {busy ? 'Finishing installation…' : 'Finish installation'}
      </button>
      {error ? <ErrorNotice title="Could not finish the installation" error={error} /> : null}
    </div>
  );
}

type FirmwareView = { firmware?: string; secureBoot?: boolean; tpm?: boolean };

/** "UEFI, Secure Boot, TPM 2.0" or "BIOS": what the VM boots with, for its facts. */
export function firmwareLabel(env: EnvironmentSummary): string | null {
  if (env.backend !== 'qemu') return null;
  const spec = env.spec as FirmwareView;
  const parts = [spec.firmware === 'uefi' ? 'UEFI' : 'BIOS'];
  if (spec.secureBoot) parts.push('Secure Boot');
  if (spec.tpm) parts.push('TPM 2.0');
  return parts.join(', ');
}
