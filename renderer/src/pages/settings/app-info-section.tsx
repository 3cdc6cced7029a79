import { useEffect } from 'react';
import { ErrorNotice } from '../../components/error-notice';
import { Fact, FactList } from '../../components/fact-list';
import { LoadingNotice } from '../../components/loading-notice';
import { Section } from '../../components/section';
import { formatTime } from '../../format/times';
import { useAppInfoStore } from '../../state/app-info-store';

const MODES = {
  electron: 'Desktop app',
  serve: 'genos serve (browser)',
  cli: 'Command line',
} as const;

export function AppInfoSection({ epoch }: { epoch: number }) {
  const { info, error, load } = useAppInfoStore();

  useEffect(() => {
    if (epoch > 0) void load();
  }, [epoch, load]);

  return (
    <Section title="About">
      {error ? <ErrorNotice title="Could not read the app's details" error={error} /> : null}
      {!info && !error ? <LoadingNotice>Loading…</LoadingNotice> : null}
      {info ? (
        <FactList>
          <Fact label="Version">{info.version}</Fact>
          <Fact label="Data directory">
            <code>{info.dataDir}</code>
          </Fact>
          <Fact label="Mode">{MODES[info.mode]}</Fact>
          <Fact label="Process">{info.pid}</Fact>
          <Fact label="Started">{formatTime(info.startedAt)}</Fact>
        </FactList>
      ) : null}
    </Section>
  );
}
