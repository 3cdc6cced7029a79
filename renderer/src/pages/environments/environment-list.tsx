import type { EnvironmentSummary } from '../../../../preload/contract';
import { formatTime } from '../../format/times';
import { hashFor } from '../../shell/routes';

export function EnvironmentList({ items }: { items: EnvironmentSummary[] }) {
  if (items.length === 0) {
    return (
      <p className="empty">
        No environments yet — <a href={hashFor('compose')}>compose one</a>
      </p>
    );
  }
  return (
    <table className="table" aria-label="Environments">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Backend</th>
          <th scope="col">State</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {items.map((env) => (
          <tr key={env.id}>
            <th scope="row">{env.name}</th>
            <td>{env.backend === 'qemu' ? 'Virtual machine (QEMU)' : 'Container (Docker)'}</td>
            <td>
              <span className={`state state--${env.state}`}>{env.state}</span>
              {env.stateReason ? <span className="state__reason"> — {env.stateReason}</span> : null}
            </td>
            <td>{formatTime(env.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
