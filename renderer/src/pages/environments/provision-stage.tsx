import { useEffect, useState } from 'react';
import type { EnvironmentSummary, ProvisionStage } from '../../../../preload/contract';
import { api } from '../../bridge/api';
import { ProgressMeter } from '../../components/progress-meter';

const LABELS: Record<ProvisionStage, string> = {
  downloading: 'Downloading the base image',
  'preparing-disk': 'Preparing the disk',
  'first-boot': 'First boot',
  'installing-packages': 'Installing packages',
  ready: 'Ready',
};

const MiB = 1024 * 1024;

/** A catalog VM's provisioning stage: a word in the list, the message and progress in the detail. */
export function ProvisionStageLabel({
  env,
  detailed = false,
}: {
  env: EnvironmentSummary;
  detailed?: boolean;
}) {
  const p = env.provision;
  if (!p) return null;
  const label = p.failed ? `${LABELS[p.stage]} failed` : LABELS[p.stage];
  const cls = `provision provision--${p.failed ? 'failed' : p.stage === 'ready' ? 'ready' : 'active'}`;
  if (!detailed) {
    return (
      <span className={cls} title={p.message}>
        {label}
      </span>
    );
  }
  const bytes = p.stage === 'downloading' && !p.failed && p.done !== null;
  return (
    <span className={cls}>
      <strong>{label}</strong> <span className="provision__message">{p.message}</span>
      {bytes ? (
        <ProgressMeter
          label="Download of the base image"
          view={{
            fraction: p.total ? Math.min(1, p.done! / p.total) : null,
            text: p.total
              ? `${(p.done! / MiB).toFixed(1)} MiB of ${(p.total / MiB).toFixed(1)} MiB`
              : `${(p.done! / MiB).toFixed(1)} MiB`,
          }}
        />
      ) : null}
    </span>
  );
}

/** The login GenOS made in a catalog VM, with a copy button for the password. */
export function GuestLogin({ env }: { env: EnvironmentSummary }) {
  const [creds, setCreds] = useState<{ user: string; password: string; sshPort: number | null }>();
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const stage = env.provision?.stage;
  const hasLogin = stage !== undefined && stage !== 'downloading';
  useEffect(() => {
    if (!hasLogin) return;
    let live = true;
    api
      .call('getCredentials', { id: env.id })
      .then((c) => live && setCreds(c))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [env.id, hasLogin]);
  if (!creds) return null;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(creds.password);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <span className="guest-login">
      <span>
        User <code>{creds.user}</code>, password{' '}
        <code aria-label={shown ? `Password ${creds.password}` : 'Password hidden'}>
          {shown ? creds.password : '••••••••••'}
        </code>
      </span>{' '}
      <button
        type="button"
        className="button--quiet button--small"
        aria-pressed={shown}
        onClick={() => setShown(!shown)}
      >
        {shown ? 'Hide' : 'Show'}
      </button>
      <button
        type="button"
        className="button--quiet button--small"
        aria-label={`Copy the password of ${env.name}`}
        onClick={() => void copy()}
      >
        Copy password
      </button>
      {copied ? (
        <span role="status">
          {copied === 'yes' ? 'Copied' : 'Could not copy: press Show and select it'}
        </span>
      ) : null}
      {creds.sshPort !== null ? (
        <span>
          {' '}
          SSH:{' '}
          <code>
            ssh -p {creds.sshPort} {creds.user}@127.0.0.1
          </code>
        </span>
      ) : null}
    </span>
  );
}
