import type { HostInfo } from '../../../../preload/contract';
import { Section } from '../../components/section';

export function MissingSection({ missing }: { missing: HostInfo['missing'] }) {
  return (
    <Section title="What to install">
      {missing.length === 0 ? (
        <p>Nothing: everything GenOS uses was found.</p>
      ) : (
        <ul className="plain-list install-list" aria-label="What to install">
          {missing.map((item) => (
            <li key={item.what}>
              <strong>{item.what}</strong> — {item.why}
              <p className="install-list__how">{item.install}</p>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
