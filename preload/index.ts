/**
 * The Electron bridge: exposes exactly the contract as `window.genos` — one function per named
 * call and a typed `on` for named events. No raw ipcRenderer, no any-channel invoke. Main parses
 * every argument again; nothing here is trusted.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CALL_NAMES, EVENT_NAMES, type EventName, type GenosBridge } from './contract';
import { callChannel, eventChannel } from './channels';

const callsObject = Object.fromEntries(
  CALL_NAMES.map((name) => [name, (args: unknown) => ipcRenderer.invoke(callChannel(name), args)]),
) as GenosBridge['calls'];

const bridge: GenosBridge = {
  calls: callsObject,
  on(event, listener) {
    if (!EVENT_NAMES.includes(event as EventName))
      throw new Error(`Unknown GenOS event "${String(event)}"`);
    const channel = eventChannel(event);
    const handler = (_e: Electron.IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
  transport: 'electron',
  pathForFile: (file) => {
    try {
      return webUtils.getPathForFile(file as File) || null;
    } catch {
      return null;
    }
  },
};

contextBridge.exposeInMainWorld('genos', bridge);
