import { needsChromium } from './fixtures/chromium';
import { expect, test } from './fixtures/serve';
import { attemptPing } from './fixtures/ws-attempt';
import { AppShellPage } from './pages/app-shell-page';
import { TokenScreenPage } from './pages/token-screen-page';

test.describe('the serve WebSocket', () => {
  test('is refused without the token, or with a wrong one', async ({ server }) => {
    expect(await attemptPing(server.wsUrl)).toMatchObject({ outcome: 'refused' });
    expect(await attemptPing(server.wsUrl, { token: `${server.token}x` })).toMatchObject({
      outcome: 'refused',
    });
  });

  test('is refused with the token but a foreign Origin', async ({ server }) => {
    const attempt = await attemptPing(server.wsUrl, {
      token: server.token,
      origin: 'http://evil.example',
    });
    expect(attempt).toMatchObject({ outcome: 'refused' });
  });

  test('answers with the token and no Origin, or the page’s own Origin', async ({ server }) => {
    const noOrigin = await attemptPing(server.wsUrl, { token: server.token });
    expect(noOrigin).toMatchObject({
      outcome: 'answered',
      reply: { pong: true },
      protocol: 'genos.v1',
    });
    const ownOrigin = await attemptPing(server.wsUrl, {
      token: server.token,
      origin: server.origin,
    });
    expect(ownOrigin).toMatchObject({ outcome: 'answered', reply: { pong: true } });
  });
});

test.describe('the page without its token', () => {
  needsChromium();

  test('asks for the link with the token', async ({ page, server }) => {
    await page.goto(`${server.origin}/`);
    const screen = new TokenScreenPage(page);
    await expect(screen.heading).toBeVisible();
    await expect(screen.message).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  });

  test('with a wrong token, says the server refused it', async ({ page, server }) => {
    await page.goto(`${server.origin}/#token=wrong${server.token}`);
    const screen = new TokenScreenPage(page);
    await expect(screen.message).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(/refuses this page’s connection|refused/)).toBeVisible();
  });

  test('the token leaves the address bar, and a reload still connects', async ({
    page,
    server,
  }) => {
    const shell = new AppShellPage(page);
    await shell.open(server.url);
    expect(page.url()).not.toContain('token=');
    await page.reload();
    await shell.expectConnected();
  });
});
