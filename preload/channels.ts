import type { CallName, EventName } from './contract';

/** IPC channel names, shared by the preload and main's IPC transport so they cannot disagree. */
export const callChannel = (name: CallName) => `genos:call:${name}`;
export const eventChannel = (name: EventName) => `genos:event:${name}`;
