import { GenosError } from '../core/errors.js';

/**
 * Packages that bring up a graphical desktop on a cloud image (which has none), per package
 * manager and desktop id (resources/catalog/desktops.json). Best effort: meta-packages/groups
 * the distributions themselves document; the caller may pass its own list instead.
 */
type Table = Record<string, string[]>;

const APT_DEBIAN: Table = {
  gnome: ['task-gnome-desktop'],
  kde: ['task-kde-desktop'],
  xfce: ['task-xfce-desktop'],
  lxqt: ['task-lxqt-desktop'],
  lxde: ['task-lxde-desktop'],
  mate: ['task-mate-desktop'],
  cinnamon: ['task-cinnamon-desktop'],
};
const APT_UBUNTU: Table = {
  gnome: ['ubuntu-desktop-minimal'],
  kde: ['kubuntu-desktop'],
  xfce: ['xubuntu-core'],
  lxqt: ['lubuntu-desktop'],
  mate: ['ubuntu-mate-core'],
  budgie: ['ubuntu-budgie-desktop'],
  cinnamon: ['cinnamon-desktop-environment', 'lightdm'],
};
const DNF: Table = {
  gnome: ['@gnome-desktop'],
  kde: ['@kde-desktop-environment'],
  xfce: ['@xfce-desktop-environment'],
  lxqt: ['@lxqt-desktop-environment'],
  mate: ['@mate-desktop-environment'],
  cinnamon: ['@cinnamon-desktop-environment'],
};
const APK: Table = {
  gnome: ['gnome', 'gdm'],
  kde: ['plasma', 'sddm'],
  xfce: ['xfce4', 'xorg-server', 'lightdm', 'lightdm-gtk-greeter'],
  mate: ['mate-desktop-environment', 'xorg-server', 'lightdm', 'lightdm-gtk-greeter'],
};
const PACMAN: Table = {
  gnome: ['gnome', 'gdm'],
  kde: ['plasma-meta', 'sddm'],
  xfce: ['xfce4', 'xorg-server', 'lightdm', 'lightdm-gtk-greeter'],
  mate: ['mate', 'xorg-server', 'lightdm', 'lightdm-gtk-greeter'],
  cinnamon: ['cinnamon', 'lightdm', 'lightdm-gtk-greeter'],
  lxqt: ['lxqt', 'sddm'],
};
const ZYPPER: Table = {
  gnome: ['patterns-gnome-gnome_basic'],
  kde: ['patterns-kde-kde_plasma'],
  xfce: ['patterns-xfce-xfce_basic'],
  mate: ['patterns-mate-mate_basis'],
};
const PKG: Table = {
  gnome: ['xorg', 'gnome'],
  kde: ['xorg', 'plasma5-plasma', 'sddm'],
  xfce: ['xorg', 'xfce', 'lightdm', 'lightdm-gtk-greeter'],
  mate: ['xorg', 'mate', 'lightdm', 'lightdm-gtk-greeter'],
};

const TABLES: Record<string, Table> = {
  dnf: DNF,
  apk: APK,
  pacman: PACMAN,
  zypper: ZYPPER,
  pkg: PKG,
};

/** The packages for `desktop` on (osId, packageManager); an unknown desktop falls back to Xfce. */
export function desktopPackages(
  osId: string,
  packageManager: string,
  desktop: string | null,
): string[] {
  const table =
    packageManager === 'apt'
      ? osId === 'ubuntu'
        ? APT_UBUNTU
        : APT_DEBIAN
      : TABLES[packageManager];
  if (!table) {
    throw new GenosError(
      'UNSUPPORTED',
      `GenOS does not know how to install a desktop with ${packageManager}; choose a headless display or a Linux distribution with apt, dnf, apk, pacman or zypper.`,
    );
  }
  const id = desktop ?? (osId === 'ubuntu' || osId === 'fedora' ? 'gnome' : 'xfce');
  return [...(table[id] ?? table.xfce ?? table.gnome!)];
}

/** The shell command that tells whether one package is installed (for the final marker). */
export function installedCheck(packageManager: string): string | null {
  switch (packageManager) {
    case 'apt':
      return 'dpkg -s';
    case 'dnf':
    case 'zypper':
      return 'rpm -q';
    case 'apk':
      return 'apk info -e';
    case 'pacman':
      return 'pacman -Q';
    case 'pkg':
      return 'pkg info -e';
    default:
      return null;
  }
}
