import { BrowserWindow, shell, session } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type AppPaths = { preload: string; rendererIndex: string; icon: string };

/** The app's window, locked down: the renderer gets window.genos and nothing else. */
export function createMainWindow(paths: AppPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'GenOS',
    icon: paths.icon,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const indexUrl = pathToFileURL(paths.rendererIndex).href;

  // The page never navigates: links to the web open in the user's browser, everything else is dropped.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== indexUrl) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());

  void win.loadFile(path.resolve(paths.rendererIndex));
  return win;
}

/** Allowed: full screen (the VM display) and writing text to the clipboard (copy buttons). */
const ALLOWED = new Set(['fullscreen', 'clipboard-sanitized-write']);

/** No camera, microphone, geolocation, notifications or clipboard reads for the renderer. */
export function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(ALLOWED.has(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => ALLOWED.has(permission));
}
