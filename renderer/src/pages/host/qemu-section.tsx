import type { HostInfo } from '../../../../preload/contract';
import { Fact, FactList } from '../../components/fact-list';
import { Section } from '../../components/section';

export function QemuSection({ qemu }: { qemu: HostInfo['qemu'] }) {
  return (
    <Section title="QEMU">
      {qemu.systems.length === 0 ? (
        <p>No qemu-system binary was found, so virtual machines cannot run.</p>
      ) : (
        <table className="table" aria-label="QEMU system emulators">
          <thead>
            <tr>
              <th scope="col">Binary</th>
              <th scope="col">Guest architecture</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {qemu.systems.map((system) => (
              <tr key={system.path}>
                <th scope="row">
                  <code>{system.path}</code>
                </th>
                <td>{system.arch}</td>
                <td>{system.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FactList>
        <Fact label="qemu-img">
          {qemu.img ? (
            <>
              {qemu.img.version} (<code>{qemu.img.path}</code>)
            </>
          ) : (
            'Not found: disk images cannot be created or converted'
          )}
        </Fact>
      </FactList>
    </Section>
  );
}
