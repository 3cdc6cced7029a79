/**
 * The Electron app: lifecycle only. The core is the same one `genos serve` runs; this file adds
 * the window, the IPC transport and the single-instance rule.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startCore, type Core } from '../core/app-core.js';
import { isGenosError } from '../core/errors.js';
import { createMainWindow, denyPermissions } from './window.js';
import { registerIpc } from './ipc.js';
import { startStreamServer } from '../streams/stream-server.js';

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const paths = {
  preload: path.join(outDir, 'preload', 'index.cjs'),
  rendererIndex: path.join(outDir, 'renderer', 'index.html'),
  icon: path.join(outDir, '..', 'resources', 'icons', 'icon.png'),
};

let core: Core | null = null;
let win: BrowserWindow | null = null;

async function boot(): Promise<void> {
  denyPermissions();
  try {
    core = await startCore({
      dataDir: app.getPath('userData'),
      mode: 'electron',
      ownerSocket: true,
    });
  } catch (err) {
    const message = isGenosError(err) ? err.message : String(err);
    dialog.showErrorBox('GenOS cannot start', message);
    app.exit(1);
    return;
  }
  registerIpc(() => win, pathToFileURL(paths.rendererIndex).href, core.dispatch, core.bus);
  // The app has no HTTP server: display and terminal bridges get a loopback one of their own.
  const streams = await startStreamServer([...core.streams.endpoints]);
  core.streams.mount(
    streams.origin.replace(/^http/, 'ws'),
    (origin) => origin === 'file://' || origin === 'null',
  );
  win = createMainWindow(paths);
  win.on('closed', () => {
    win = null;
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('window-all-closed', () => app.quit());
  app.on('activate', () => {
    if (!win && core) win = createMainWindow(paths);
  });
  let disposed = false;
  app.on('will-quit', (event) => {
    if (disposed || !core) return;
    event.preventDefault();
    void core.dispose().finally(() => {
      disposed = true;
      app.quit();
    });
  });
  void app.whenReady().then(boot);
}
