import { backendAvailable } from '../helpers/backends';
import { kernelGuestVmSpec } from '../helpers/spec-fixture';
import { ensureTestGuest } from '../helpers/test-guest';
import type { TestGuest } from '../helpers/test-guest';
import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { watchPage } from './fixtures/page-problems';
import { expect, test } from './fixtures/qemu-test';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentView } from './pages/environment-view';

needsChromium();

/**
 * The Display tab switched to SPICE: spice-html5 (loaded on demand) connects through the SPICE
 * bridge with one windowed token for its channels, draws the guest's VGA console into a canvas
 * that is not uniform, and nothing trips the page's CSP.
 */

test.describe('the display over SPICE', () => {
  test.skip(!backendAvailable('qemu'), 'qemu is not installed');

  let guest: TestGuest;
  test.beforeAll(async () => {
    test.setTimeout(300_000);
    guest = await ensureTestGuest();
  });

  test('switching the Display tab to SPICE shows the guest’s screen', async ({ page, server }) => {
    test.setTimeout(120_000);
    const watch = await watchPage(page);
    await new AppShellPage(page).open(server.url);

    const name = 'spice-vm';
    const { items } = await callInPage(page, 'createEnvironment', {
      spec: kernelGuestVmSpec(guest, name),
      start: true,
    });
    const id = items[0]!.id;
    try {
      const view = new EnvironmentView(page, name);
      await view.open(server.origin, id, 'display');
      await expect(view.state).toHaveText('running', { timeout: 30_000 });
      // The guest's shells (serial and the VGA console's tty1) start right after its marker.
      await expect
        .poll(async () => (await callInPage(page, 'consoleLog', { id })).text, { timeout: 60_000 })
        .toContain(guest.readyMarker);
      const protocols = view.region.getByRole('radiogroup', { name: 'Display protocol' });
      const vnc = protocols.getByRole('radio', { name: 'VNC' });
      const spice = protocols.getByRole('radio', { name: 'SPICE' });
      await expect(vnc).toBeChecked();
      await expect(view.linkStatus).toHaveText('Connected', { timeout: 30_000 });

      await test.step('SPICE: spice-html5 draws a frame that is not uniform', async () => {
        const loaded = page.waitForResponse((r) =>
          /\/assets\/spice-session-[\w-]+\.js$/.test(r.url()),
        );
        const clicked = Date.now();
        await spice.check();
        // The SPICE client is a chunk of its own, fetched only now.
        expect((await loaded).ok()).toBe(true);
        const canvas = view.screen.locator('canvas[id^="spice_surface_"]');
        await expect(canvas).toHaveCount(1, { timeout: 30_000 });
        await expect(view.linkStatus).toHaveText('Connected', { timeout: 30_000 });
        await expect
          .poll(() => view.displayColourCount(canvas), { timeout: 30_000 })
          .toBeGreaterThan(1);
        console.log(`SPICE selected -> non-uniform frame in the page: ${Date.now() - clicked} ms`);
        // noVNC's canvas is gone: one display at a time.
        await expect(view.screen.locator('canvas')).toHaveCount(1);
        await page.screenshot({ path: test.info().outputPath('spice-display.png') });
        await expect(view.displayButton('Send Ctrl+Alt+Del')).toBeEnabled();
        const download = page.waitForEvent('download');
        await view.displayButton('Screenshot').click();
        expect((await download).suggestedFilename()).toMatch(/^spice-vm-.*\.png$/);
      });

      await test.step('typing into the guest over SPICE reaches its shell', async () => {
        // The VGA console (tty1) has a shell of its own; its answer goes to the serial log.
        const form = view.region.getByRole('form', { name: 'Type into the guest' });
        await form.getByLabel('Text to type').fill('echo SPICE-$((6*7)) >/dev/ttyS0');
        await form.getByRole('button', { name: 'Type into guest' }).click();
        // Polled through the API: leaving the tab would end the session before the paced keys are out.
        await expect
          .poll(async () => (await callInPage(page, 'consoleLog', { id })).text, {
            timeout: 30_000,
          })
          .toContain('SPICE-42');
      });

      await test.step('back to VNC', async () => {
        await vnc.check();
        await expect(view.screen.locator('canvas[id^="spice_surface_"]')).toHaveCount(0);
        await expect(view.linkStatus).toHaveText('Connected', { timeout: 30_000 });
        await expect.poll(() => view.displayColourCount(), { timeout: 30_000 }).toBeGreaterThan(1);
      });

      expect(await watch.problems()).toEqual([]);
    } finally {
      await callInPage(page, 'killEnvironment', { id }).catch(() => undefined);
    }
  });
});
