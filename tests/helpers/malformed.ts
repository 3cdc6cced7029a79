import { CALL_NAMES, type CallName } from '../../preload/contract.js';

/**
 * Argument payloads that no call of the contract accepts: wrong JSON types, and an object with
 * a field no schema names (every call's arguments are strict objects). Plus, per call, payloads
 * that have the right shape but wrong field types.
 */
export const UNIVERSALLY_BAD: unknown[] = [
  42,
  'hostInfo',
  null,
  [],
  true,
  { surprise: 'field' },
  { __proto__: { polluted: true }, constructor: 'x' },
];

export const BAD_FIELDS: Record<CallName, unknown[]> = {
  ping: [{ at: 1 }],
  appInfo: [{ version: '1' }],
  hostInfo: [{ refresh: 'yes' }, { refresh: 1 }],
  listEnvironments: [
    { limit: 0 },
    { limit: 1.5 },
    { limit: 10_000 },
    { state: 'exploded' },
    { cursor: 7 },
  ],
  getEnvironment: [
    {},
    { id: '' },
    { id: '../../etc/passwd' },
    { id: "x'; DROP TABLE environments;--" },
  ],
  getCredentials: [{}, { id: '' }, { id: '../env' }, { id: 'abc', user: 'root' }],
  listAuditEvents: [{ limit: -1 }, { beforeSeq: 0 }, { target: 5 }],
  compose: [{}, { prompt: 5 }, { prompt: 'x'.repeat(5000) }],
  readRecipe: [{ fileName: 'x.exe', text: '{}' }, { fileName: 'x.json' }],
  writeRecipe: [
    { fileName: 'x.json', environments: [] },
    { fileName: 'x.txt', environments: [{}] },
  ],
  createEnvironment: [{}, { spec: {} }, { spec: { name: 'x' } }, { spec: null, start: true }],
  upStack: [{ environments: [] }, { environments: [{}] }, { environments: 'a' }],
  planEnvironment: [{}, { spec: 'ubuntu' }],
  updateEnvironment: [
    { id: 'x' },
    { id: 'x', patch: { resources: { memoryMiB: 8 } } },
    { id: 'x', patch: { resources: { cpus: 1.5 } } },
    { id: 'x', patch: { network: { mode: 'bridge' } } },
    { id: 'x', patch: { network: { ports: [{ host: 0, guest: 80 }] } } },
    { id: 'x', patch: { restartPolicy: 'sometimes' } },
    { id: 'x', patch: { name: 'renamed' } },
    { id: 'x', patch: { resources: { gpus: 1 } } },
  ],
  startEnvironment: [{}, { id: 5 }, { id: 'a b' }],
  stopEnvironment: [
    { id: 'x', timeoutSec: 0 },
    { id: 'x', timeoutSec: 'soon' },
  ],
  killEnvironment: [{}],
  pauseEnvironment: [{ id: null }],
  resumeEnvironment: [{ id: ['x'] }],
  restartEnvironment: [{ id: '' }],
  deleteEnvironment: [{ id: '../x' }],
  cancelOperation: [{}],
  openDisplay: [{}, { id: 'a/b' }, { id: 'e1', protocol: 'rdp' }, { id: 'e1', protocol: 1 }],
  openTerminal: [
    { id: 1 },
    { id: 'x', mode: 'root' },
    { id: 'x', mode: 'SSH' },
    { id: 'x', mode: 'ssh', port: 22 },
  ],
  getSshAccess: [{}, { id: '' }, { id: 'x', port: 22 }],
  consoleLog: [
    { id: 'x', maxBytes: 0 },
    { id: 'x', maxBytes: 1e12 },
    { id: 'x', since: '10m' },
    { id: 'x', sinceSec: -5 },
  ],
  openLogStream: [
    {},
    { id: 'x', since: 'yesterday' },
    { id: 'x', tail: -1 },
    { id: 'x', follow: true },
  ],
  resizeDisk: [
    { id: 'x' },
    { id: 'x', sizeGiB: 0 },
    { id: 'x', sizeGiB: 1.5 },
    { id: 'x', sizeGiB: '20G' },
  ],
  finishInstall: [{}, { id: '' }, { id: 'x', installed: true }],
  listSnapshots: [{}],
  createSnapshot: [
    { id: 'x', name: 'a b', kind: 'live' },
    { id: 'x', name: 'a', kind: 'full' },
    { id: 'x', name: '-rf', kind: 'disk' },
  ],
  restoreSnapshot: [{ id: 'x' }, { id: 'x', name: 'x;quit' }],
  deleteSnapshot: [{ id: 'x', name: '' }],
  getMetrics: [{ id: '' }],
  listTasks: [{ all: true }],
  cancelTask: [{}, { id: '' }],
  listImages: [{ limit: 5 }],
  importImage: [
    {},
    { path: '/tmp/x.qcow2' },
    { path: '', mode: 'copy' },
    { path: '/tmp/x', mode: 'move' },
    { path: '/tmp/x', mode: 'copy', format: 'exe' },
    { path: 'a\0b', mode: 'copy' },
  ],
  importUpload: [
    { uploadId: 'x', name: 'a' },
    { uploadId: '../../etc/passwd', name: 'a' },
    { name: 'a' },
  ],
  listContainerImages: [{ all: 1 }],
  importContainerImage: [
    { path: '/x.tar' },
    { path: '/x.tar', kind: 'zip' },
    { path: '/x.tar', kind: 'rootfs', tag: 'UPPER CASE' },
  ],
  pullContainerImage: [{}, { ref: 'UPPER/Case' }, { ref: 'a b' }, { ref: '-rm' }, { ref: 7 }],
  convertImage: [{ id: 'x' }, { id: 'x', format: 'iso' }, { id: 'x', format: 'zip' }],
  deleteImage: [{ id: 7 }],
  listCatalogImages: [{ osId: 'debian' }],
  downloadCatalogImage: [
    {},
    { osId: 'debian' },
    { osId: 'Debian', version: '12' },
    { osId: 'debian', version: '../12' },
    { osId: 'debian', version: 12 },
  ],
  addCatalogBase: [
    { osId: 'debian', version: '12' },
    { osId: 'debian', version: '12', path: '' },
    { osId: 'debian', version: '12', path: 'a\0b' },
  ],
  removeCatalogBase: [{ osId: 'debian' }, { osId: '', version: '12' }],
  getSettings: [{ theme: 'dark' }],
  updateSettings: [
    {},
    { patch: { theme: 'neon' } },
    { patch: { admissionMemoryShare: 5 } },
    { patch: { llmEndpoint: 'file:///etc/passwd' } },
    { patch: { unknownKey: 1 } },
    { patch: { downloadProxy: 'socks5://127.0.0.1:1080' } },
    { patch: { downloadMirrors: [{ prefix: 'https://a/', mirrors: [] }] } },
    { patch: { sshPublicKey: '-----BEGIN OPENSSH PRIVATE KEY-----' } },
    { patch: { sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1yc2EAAAADAQAB' } },
  ],
};

export function malformedCases(): Array<{ call: CallName; args: unknown }> {
  return CALL_NAMES.flatMap((call) =>
    [...UNIVERSALLY_BAD, ...BAD_FIELDS[call]].map((args) => ({ call, args })),
  );
}
