import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CALL_NAMES } from '../../preload/contract.js';
import { callChannel, eventChannel } from '../../preload/channels.js';
import type { Dispatch } from '../api/dispatcher.js';
import type { EventBus } from '../api/event-bus.js';

/**
 * The Electron transport: one ipcMain.handle per named call, each through the dispatcher. The
 * sender check comes first: only the main frame of our own window, showing our own page.
 */
export function registerIpc(
  getWindow: () => BrowserWindow | null,
  indexUrl: string,
  dispatch: Dispatch,
  bus: EventBus,
) {
  const isTrusted = (event: IpcMainInvokeEvent) => {
    const win = getWindow();
    const frame = event.senderFrame;
    return (
      !!win &&
      !!frame &&
      event.sender === win.webContents &&
      frame === win.webContents.mainFrame &&
      frame.url.split('#')[0] === indexUrl
    );
  };
  for (const name of CALL_NAMES) {
    ipcMain.handle(callChannel(name), (event, args: unknown) =>
      dispatch(name, args, { transport: 'electron', trusted: isTrusted(event) }),
    );
  }
  const unsubscribe = bus.onAny((event, payload) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(eventChannel(event), payload);
  });
  return () => {
    unsubscribe();
    for (const name of CALL_NAMES) ipcMain.removeHandler(callChannel(name));
  };
}
