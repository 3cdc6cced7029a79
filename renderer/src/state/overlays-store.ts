import { create } from 'zustand';

/** The app-wide overlays a shortcut or a header button opens: the help and the task tray. */
type OverlaysStore = {
  help: boolean;
  tray: boolean;
  setHelp(open: boolean): void;
  setTray(open: boolean): void;
};

export const useOverlaysStore = create<OverlaysStore>((set) => ({
  help: false,
  tray: false,
  setHelp: (help) => set({ help }),
  setTray: (tray) => set({ tray }),
}));
