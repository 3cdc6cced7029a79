import os from 'node:os';
import { backendAvailable } from '../helpers/backends';
import { needsChromium } from './fixtures/chromium';
import { cpuHasVirtualizationFlags, qemuVersion } from './fixtures/host-facts';
import { expect, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';
import { HostPage } from './pages/host-page';

needsChromium();

// The probe boots a tiny guest to test KVM: give it time on a slow machine.
const PROBE_TIMEOUT = 60_000;

test('opening the printed URL shows the shell', async ({ page, server }) => {
  const shell = new AppShellPage(page);
  await shell.open(server.url);
  await expect(shell.nav).toBeVisible();
  for (const name of ['Compose', 'Environments', 'Images', 'Host', 'Settings'] as const) {
    await expect(shell.navLink(name)).toBeVisible();
  }
  await expect(shell.navLink('Compose')).toHaveAttribute('aria-current', 'page');
  await expect(shell.pageHeading).toHaveText('Compose');
});

test('the Host page shows the real probe of this machine', async ({ page, server }) => {
  const shell = new AppShellPage(page);
  const host = new HostPage(page);
  await shell.open(server.url);
  await shell.goTo('Host');

  await expect(host.fact('CPUs')).toHaveText(String(os.cpus().length), { timeout: PROBE_TIMEOUT });
  await expect(host.fact('Operating system')).toContainText(os.release());

  if (backendAvailable('qemu')) {
    await expect(host.qemuRow('qemu-system-x86_64')).toContainText(qemuVersion());
  } else {
    await expect(host.installList).toContainText(/qemu/i);
  }

  await expect(host.fact('Why')).not.toBeEmpty();
  if (!cpuHasVirtualizationFlags()) {
    // No vmx/svm in /proc/cpuinfo: whatever /dev/kvm says, guests must run under TCG.
    await expect(host.fact('KVM usable')).toHaveText('No');
    await expect(host.fact('Selected accelerator')).toContainText('TCG');
  } else {
    const usable = (await host.fact('KVM usable').textContent()) === 'Yes';
    await expect(host.fact('Selected accelerator')).toContainText(usable ? 'KVM' : 'TCG');
  }
});

test('Re-probe asks the server to probe again', async ({ page, server }) => {
  const shell = new AppShellPage(page);
  const host = new HostPage(page);
  // Watch the app's own socket: the button must send hostInfo with refresh, not reuse the cache.
  const sent: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', (frame) => sent.push(String(frame.payload))),
  );
  await shell.open(server.url);
  await shell.goTo('Host');
  await expect(host.fact('CPUs')).toBeVisible({ timeout: PROBE_TIMEOUT });

  await host.reprobeButton.click();
  await expect(host.reprobeButton).toBeEnabled({ timeout: PROBE_TIMEOUT });
  await expect(host.error).toHaveCount(0);
  await expect(host.fact('CPUs')).toHaveText(String(os.cpus().length));
  const reprobes = sent
    .map((frame) => JSON.parse(frame))
    .filter((msg) => msg.call === 'hostInfo' && msg.args?.refresh === true);
  expect(reprobes).toHaveLength(1);
});
