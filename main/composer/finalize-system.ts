/**
 * The system half of a spec: OS and version, image, backend, display, desktop and apps — with
 * the checks that make impossible combinations an error that says why (Windows in a container)
 * and odd ones a warning (Firefox on a headless server).
 */
import type { Backend, ImageSource } from '../../preload/spec.js';
import {
  defaultOs,
  findApp,
  findDesktop,
  findOs,
  findVersion,
  packagesFor,
  type OsEntry,
} from './catalog.js';
import type { Explainer } from './explain.js';
import { correctionNote, pick } from './resolve.js';
import type { Scan } from './scan.js';

/** The OS recorded for a custom container image: the image, not the catalog, decides it. */
export const IMAGE_OS_ID = 'linux';

export type System = {
  os: OsEntry | null;
  osId: string;
  version: string | null;
  image: ImageSource;
  backend: Backend;
  display: 'gui' | 'headless';
  desktop: string | null;
  apps: string[];
};

const SUPPORT_NOTES: Record<string, string> = {
  eol: 'is end of life: it gets no security updates',
};

function chooseOs(
  scan: Scan,
  ex: Explainer,
  image: ImageSource,
): { os: OsEntry | null; version: string | null } | null {
  const claim = pick(scan, 'os');
  if (!claim && scan.unsupported.length > 0) {
    scan.fail(scan.unsupported[0]!.reason);
    return null;
  }
  for (const u of scan.unsupported) {
    if (claim) scan.warn(`${u.reason} Ignored "${u.words.join(' ')}".`);
  }
  if (!claim && image.kind === 'container-image') {
    ex.byDefault('os.id', 'the container image decides the OS');
    ex.byDefault('os.version', 'the container image decides the version');
    return { os: null, version: null };
  }
  const os = claim ? findOs(claim.value.id)! : defaultOs();
  ex.fromClaims(
    'os.id',
    [claim],
    claim ? correctionNote(scan, claim) : `no OS named: ${os.name} is the default`,
  );
  const vClaim = pick(scan, 'version', (c) => c.value.os === os.id);
  let version = os.defaultVersion;
  if (vClaim && vClaim.value.version !== null) {
    version = vClaim.value.version;
    ex.fromClaims('os.version', [vClaim]);
  } else if (vClaim) {
    const known = os.versions.map((v) => v.version).join(', ');
    scan.warn(
      `${os.name} has no version "${vClaim.value.typed}" in the catalog (known: ${known}); using ${os.defaultVersion} instead.`,
    );
    ex.fromClaims(
      'os.version',
      [vClaim],
      `unknown version: using the default ${os.defaultVersion}`,
    );
  } else {
    ex.byDefault('os.version', `${os.name}'s default version`);
  }
  const entry = findVersion(os, version)!;
  const support = SUPPORT_NOTES[entry.support];
  if (support) scan.warn(`${os.name} ${version} ${support}.`);
  return { os, version };
}

function chooseBackend(
  scan: Scan,
  ex: Explainer,
  os: OsEntry | null,
  version: string | null,
  image: ImageSource,
  gui: boolean,
): Backend | null {
  const strong = pick(scan, 'backend', (c) => c.strength === 'strong');
  const weak = pick(scan, 'backend');
  let backend: Backend;
  if (strong) {
    backend = strong.value;
    ex.fromClaims('backend', [strong], correctionNote(scan, strong));
  } else if (os && !os.backends.includes('docker')) {
    backend = 'qemu';
    ex.byDefault('backend', `${os.name} runs only in a VM`);
  } else if (weak) {
    backend = weak.value;
    ex.fromClaims('backend', [weak]);
  } else if (gui) {
    backend = 'qemu';
    ex.byDefault('backend', 'a desktop runs best in a VM');
  } else {
    backend = 'docker';
    ex.byDefault('backend', 'a headless environment is lightest as a container');
  }
  const name = os?.name ?? 'This image';
  if (backend === 'docker' && os && !os.backends.includes('docker')) {
    const why =
      os.family === 'windows'
        ? 'Windows containers need a Windows host, and GenOS runs Linux containers'
        : os.family === 'bsd'
          ? `containers share the host's Linux kernel, and ${os.name} is not Linux`
          : `it is made to be installed as a whole system, and has no container image`;
    scan.fail(`${os.name} cannot run in a container: ${why}. Ask for a VM instead.`);
    return null;
  }
  const entry = os ? findVersion(os, version) : undefined;
  if (backend === 'docker' && os && entry && !entry.containerImage) {
    scan.fail(
      `${os.name} ${entry.version} has no container image in the catalog. Ask for a VM instead.`,
    );
    return null;
  }
  if (backend === 'qemu' && image.kind === 'container-image') {
    scan.fail(
      `"${image.ref}" is a container image; it cannot boot as a VM. Ask for a container, or name an OS for the VM.`,
    );
    return null;
  }
  const installer = image.kind === 'catalog' && image.media === 'installer-iso';
  if (backend === 'qemu' && os && entry && !entry.vmImage && !installer) {
    const why =
      os.family === 'windows'
        ? "Windows' licence means you provide the installer ISO"
        : 'there is no cloud image in the catalog';
    scan.warn(
      `${name} ${entry.version} as a VM installs from an ISO in the image library: ${why}.`,
    );
  }
  return backend;
}

function chooseDisplay(
  scan: Scan,
  ex: Explainer,
  os: OsEntry | null,
  backend: Backend,
  installer: boolean,
): 'gui' | 'headless' {
  const claim = pick(scan, 'display');
  if (claim) {
    ex.fromClaims('display', [claim], correctionNote(scan, claim));
    return claim.value;
  }
  if (backend === 'qemu' && installer) {
    ex.byDefault('display', 'an installer is used through its display');
    return 'gui';
  }
  if (backend === 'qemu' && os?.desktopTypical) {
    ex.byDefault('display', `${os.name} is normally used with its desktop`);
    return 'gui';
  }
  ex.byDefault(
    'display',
    backend === 'docker' ? 'containers are headless unless asked' : 'no desktop asked for',
  );
  return 'headless';
}

export function chooseSystem(scan: Scan, ex: Explainer): System | null {
  const imageClaim = pick(scan, 'image');
  let image: ImageSource = imageClaim ? imageClaim.value : { kind: 'catalog' };
  ex.fromClaims('image', [imageClaim], imageClaim ? undefined : "the catalog's image for the OS");
  const chosen = chooseOs(scan, ex, image);
  if (!chosen) return null;
  const { os, version } = chosen;
  if (image.kind === 'catalog' && image.media === 'installer-iso') {
    const entry = os ? findVersion(os, version) : undefined;
    if (!os || !entry?.installerIso) {
      image = { kind: 'catalog' };
      // Without a cloud image either, chooseBackend says where the ISO has to come from.
      if (entry?.vmImage)
        scan.warn(
          `${os!.name} ${entry.version} has no installer ISO in the catalog, so its cloud image is used; to install from an ISO, import one into the image library (genos import <file.iso>, or drop it on GenOS) and pick it as the image.`,
        );
    }
  }
  const installer = image.kind === 'catalog' && image.media === 'installer-iso';
  const guiWanted =
    installer || pick(scan, 'display')?.value === 'gui' || (os?.desktopTypical ?? false);
  const backend = chooseBackend(scan, ex, os, version, image, guiWanted);
  if (!backend) return null;
  const display = chooseDisplay(scan, ex, os, backend, installer);
  if (display === 'gui' && backend === 'docker') {
    scan.warn(
      'A desktop in a container is limited (no real login session or hardware acceleration); a VM is the usual choice.',
    );
  }
  const desktop = chooseDesktop(scan, ex, os, display);
  const apps = chooseApps(scan, ex, os, display);
  if (installer && apps.length)
    scan.warn(
      `An installer ISO installs only what you pick in it: ${apps.join(', ')} must be installed in the guest afterwards (a cloud image would install them itself).`,
    );
  return { os, osId: os?.id ?? IMAGE_OS_ID, version, image, backend, display, desktop, apps };
}

function chooseDesktop(
  scan: Scan,
  ex: Explainer,
  os: OsEntry | null,
  display: 'gui' | 'headless',
): string | null {
  const claim = pick(scan, 'desktop');
  if (claim && display === 'headless') {
    scan.warn(`The desktop "${claim.words.join(' ')}" was ignored: the environment is headless.`);
  } else if (claim && os?.family === 'windows') {
    scan.warn(`Windows has its own desktop; "${claim.words.join(' ')}" was ignored.`);
  } else if (claim) {
    ex.fromClaims('desktop', [claim]);
    return claim.value;
  }
  const fallback = os?.defaultDesktop ? findDesktop(os.defaultDesktop)?.name : null;
  ex.byDefault(
    'desktop',
    display === 'gui' && fallback ? `the OS's default desktop (${fallback})` : 'none: headless',
  );
  return null;
}

function chooseApps(
  scan: Scan,
  ex: Explainer,
  os: OsEntry | null,
  display: 'gui' | 'headless',
): string[] {
  const claims = scan
    .claimsFor('app')
    .filter(
      (c) => c.strength !== 'llm' || !scan.claimsFor('app').some((o) => o.strength !== 'llm'),
    );
  const apps: string[] = [];
  for (const c of claims) {
    const at = apps.indexOf(c.value.id);
    if (c.value.remove && at >= 0) apps.splice(at, 1);
    else if (!c.value.remove && at < 0) apps.push(c.value.id);
  }
  for (const id of apps) {
    const app = findApp(id)!;
    if (app.gui && display === 'headless')
      scan.warn(`${app.name} is a GUI app, but the environment is headless.`);
    if (os && packagesFor(app, os) === null) {
      scan.warn(
        `${app.name} has no ${os.name} package in the catalog${app.note ? ` (${app.note})` : ''}; it needs installing by hand.`,
      );
    }
  }
  ex.fromClaims('apps', claims, claims.length === 0 ? 'no apps asked for' : undefined);
  return apps;
}
