import type { HostInfo } from '../../../../preload/contract';
import { Fact, FactList } from '../../components/fact-list';
import { Section } from '../../components/section';

function selectedText({ kvm, selected }: HostInfo['accel']): string {
  switch (selected) {
    case 'kvm':
      return 'KVM — hardware virtualization, guests run at near-native speed';
    case 'tcg':
      return kvm.usable
        ? 'TCG — software emulation, although KVM is usable'
        : 'TCG — software emulation (slower), because KVM is not usable here';
    case 'none':
      return 'None — no QEMU was found to run guests';
  }
}

export function AccelSection({ accel }: { accel: HostInfo['accel'] }) {
  return (
    <Section title="Acceleration">
      <FactList>
        <Fact label="KVM device">{accel.kvm.devicePresent ? 'Present (/dev/kvm)' : 'Absent'}</Fact>
        <Fact label="KVM usable">{accel.kvm.usable ? 'Yes' : 'No'}</Fact>
        <Fact label="Why">{accel.kvm.reason}</Fact>
        <Fact label="Selected accelerator">{selectedText(accel)}</Fact>
      </FactList>
    </Section>
  );
}
