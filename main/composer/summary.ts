/** A compose result as a few readable lines (the CLI's default output). */
import type { ComposeResult, ComposeSuccess, Explanation } from '../../preload/compose.js';
import type { EnvironmentSpec } from '../../preload/spec.js';
import { findOs } from './catalog.js';

function source(ex: Explanation, path: string): string {
  const e = ex[path];
  if (!e) return '';
  const from = e.words === 'default' ? 'default' : `from "${e.words.join(' ')}"`;
  return e.note ? `${from}: ${e.note}` : from;
}

function row(label: string, value: string, why: string): string {
  return `  ${label.padEnd(10)} ${value.padEnd(28)} ${why}`.trimEnd();
}

function ports(spec: EnvironmentSpec): string {
  if (spec.network.ports.length === 0) return spec.network.mode;
  const list = spec.network.ports.map(
    (p) => `${p.host}->${p.guest}${p.protocol === 'udp' ? '/udp' : ''}`,
  );
  return `${spec.network.mode}, ${list.join(' ')}`;
}

export function formatSummary(result: ComposeResult): string {
  if ('error' in result) return `error: ${result.error}\n`;
  if (result.environments) return formatStack(result, result.environments);
  return formatOne(result);
}

/** A stack: the start order in one line, then each environment as formatOne shows it. */
function formatStack(
  result: ComposeSuccess,
  envs: NonNullable<ComposeSuccess['environments']>,
): string {
  const order = envs
    .map(
      (e) =>
        `${e.spec.name}${e.spec.requires.length ? ` (after ${e.spec.requires.join(', ')})` : ''}`,
    )
    .join(', ');
  const lines = [
    `stack of ${envs.length} environments: ${order}  (confidence ${result.confidence.toFixed(2)})`,
  ];
  for (const env of envs) {
    const one = formatOne({ ...env, warnings: [] })
      .trimEnd()
      .split('\n');
    lines.push('', ...one);
    lines.push(
      row('requires', env.spec.requires.join(', ') || '-', source(env.explanation, 'requires')),
    );
    lines.push(row('from', `"${env.text}"`, ''));
  }
  if (result.warnings.length > 0) {
    lines.push('', 'warnings:');
    for (const w of result.warnings) lines.push(`  ! ${w}`);
  }
  return lines.join('\n') + '\n';
}

function formatOne(result: ComposeSuccess): string {
  const { spec, explanation: ex } = result;
  const os = findOs(spec.os.id);
  const osText = `${os?.name ?? spec.os.id}${spec.os.version ? ` ${spec.os.version}` : ''}`;
  const kind = `${spec.display === 'gui' ? 'desktop' : 'headless'} ${spec.backend === 'qemu' ? 'VM' : 'container'}`;
  const lines = [
    `${spec.name}: ${osText}, ${kind}${spec.count > 1 ? ` x${spec.count}` : ''}  (confidence ${result.confidence.toFixed(2)})`,
    row('backend', spec.backend, source(ex, 'backend')),
    row('os', `${spec.os.id} ${spec.os.version ?? ''}`.trim(), source(ex, 'os.id')),
    row(
      'image',
      spec.image.kind === 'container-image'
        ? spec.image.ref
        : spec.image.kind === 'catalog' && spec.image.media === 'installer-iso'
          ? 'catalog installer ISO'
          : spec.image.kind,
      source(ex, 'image'),
    ),
    row(
      'display',
      spec.desktop ? `${spec.display} (${spec.desktop})` : spec.display,
      source(ex, 'display'),
    ),
    row('apps', spec.apps.join(', ') || '-', source(ex, 'apps')),
    row('cpus', String(spec.resources.cpus), source(ex, 'resources.cpus')),
    row('memory', `${spec.resources.memoryMiB} MiB`, source(ex, 'resources.memoryMiB')),
    row('disk', `${spec.resources.diskGiB} GiB`, source(ex, 'resources.diskGiB')),
    row('network', ports(spec), source(ex, 'network.mode')),
    row('count', String(spec.count), source(ex, 'count')),
    row('ephemeral', spec.ephemeral ? 'yes' : 'no', source(ex, 'ephemeral')),
    row('name', spec.name, source(ex, 'name')),
  ];
  if (spec.restartPolicy !== 'never')
    lines.push(row('restart', spec.restartPolicy, source(ex, 'restartPolicy')));
  if (result.warnings.length > 0) {
    lines.push('warnings:');
    for (const w of result.warnings) lines.push(`  ! ${w}`);
  }
  return lines.join('\n') + '\n';
}
