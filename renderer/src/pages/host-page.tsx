import { useEffect } from 'react';
import { ErrorNotice } from '../components/error-notice';
import { LoadingNotice } from '../components/loading-notice';
import { PageHeader } from '../components/page-header';
import { useConnectionStore } from '../state/connection-store';
import { useHostStore } from '../state/host-store';
import { AccelSection } from './host/accel-section';
import { EngineSection } from './host/engine-section';
import { MissingSection } from './host/missing-section';
import { QemuSection } from './host/qemu-section';
import { SystemSection } from './host/system-section';

export function HostPage() {
  const epoch = useConnectionStore((store) => store.epoch);
  const { info, status, error, reprobing, load, reprobe } = useHostStore();

  useEffect(() => {
    if (epoch > 0) void load();
  }, [epoch, load]);

  return (
    <>
      <PageHeader
        title="Host"
        intro="What this machine offers GenOS: emulators, acceleration and the container engine."
        actions={
          <button
            type="button"
            onClick={() => void reprobe()}
            disabled={reprobing}
            aria-busy={reprobing}
          >
            Re-probe
          </button>
        }
      />
      {reprobing ? <LoadingNotice>Probing the host again…</LoadingNotice> : null}
      {error ? <ErrorNotice title="The host probe failed" error={error} /> : null}
      {!info && status !== 'error' ? <LoadingNotice>Probing the host…</LoadingNotice> : null}
      {info ? (
        <div className="card-grid">
          <SystemSection info={info} />
          <AccelSection accel={info.accel} />
          <QemuSection qemu={info.qemu} />
          <EngineSection engine={info.engine} />
          <MissingSection missing={info.missing} />
        </div>
      ) : null}
    </>
  );
}
