import type { EnvironmentSummary } from '../../../../../preload/contract';
import { Fact, FactList } from '../../../components/fact-list';
import { specFacts } from './spec-facts';

/** What the environment was made with, read-only for now. */
export function SettingsPanel({ env }: { env: EnvironmentSummary }) {
  return (
    <div className="settings-view">
      <p className="hint">
        Read-only for now: changing the resources, network, ports or restart policy of a stopped
        environment comes in a later version.
      </p>
      <FactList>
        {specFacts(env).map((fact) => (
          <Fact key={fact.label} label={fact.label}>
            {fact.value}
          </Fact>
        ))}
      </FactList>
    </div>
  );
}
