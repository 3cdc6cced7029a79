import type { HostInfo } from '../../../../preload/contract';
import { Fact, FactList } from '../../components/fact-list';
import { Section } from '../../components/section';

const ENGINE_NAMES = { docker: 'Docker', podman: 'Podman' } as const;

export function EngineSection({ engine }: { engine: HostInfo['engine'] }) {
  return (
    <Section title="Container engine">
      {engine.kind ? (
        <FactList>
          <Fact label="Engine">{ENGINE_NAMES[engine.kind]}</Fact>
          <Fact label="Endpoint">
            <code>{engine.endpoint ?? 'unknown'}</code>
          </Fact>
          <Fact label="Version">
            {engine.version ?? 'unknown'}
            {engine.apiVersion ? ` (API ${engine.apiVersion})` : ''}
          </Fact>
        </FactList>
      ) : (
        <p>No container engine answered, so containers cannot run.</p>
      )}
      {!engine.kind && engine.tried.length > 0 ? (
        <>
          <h3>Tried</h3>
          <ul className="plain-list" aria-label="Engine endpoints tried">
            {engine.tried.map((attempt) => (
              <li key={attempt.endpoint}>
                <code>{attempt.endpoint}</code>: {attempt.error}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}
