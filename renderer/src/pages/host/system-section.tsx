import type { HostInfo } from '../../../../preload/contract';
import { Fact, FactList } from '../../components/fact-list';
import { Section } from '../../components/section';
import { formatMiB } from '../../format/sizes';
import { formatTime } from '../../format/times';

export function SystemSection({ info }: { info: HostInfo }) {
  const { os, cpu, memory, disk } = info;
  return (
    <Section title="System">
      <FactList>
        <Fact label="Operating system">
          {os.platform} {os.release} ({os.arch})
        </Fact>
        <Fact label="CPUs">{cpu.count}</Fact>
        <Fact label="CPU model">{cpu.model}</Fact>
        <Fact label="Memory">
          {formatMiB(memory.totalMiB)} ({formatMiB(memory.freeMiB)} free)
        </Fact>
        <Fact label="Free disk">
          {disk
            ? `${formatMiB(disk.freeMiB)} free of ${formatMiB(disk.totalMiB)} at ${disk.path}`
            : 'Unknown'}
        </Fact>
        <Fact label="Probed at">{formatTime(info.probedAt)}</Fact>
      </FactList>
    </Section>
  );
}
