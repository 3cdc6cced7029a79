import { useEffect } from 'react';
import { useOverlaysStore } from '../state/overlays-store';
import { hashFor } from './routes';
import { createGlobalKeys } from './shortcuts';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  // The VM display and the terminal take every key for the guest.
  if (target.closest('[data-keeps-keys]')) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  // Radios, checkboxes and buttons take no text: shortcuts still work on them.
  return !['radio', 'checkbox', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(
    target.type,
  );
}

/**
 * The app-wide shortcuts (see shortcuts.ts). Listens in the capture phase so the second key of a
 * `g` chord is taken before a page's own keys (the environments list's `s` is "start").
 */
export function useGlobalShortcuts(): void {
  useEffect(() => {
    const keys = createGlobalKeys();
    const onKeyDown = (event: KeyboardEvent) => {
      const overlays = useOverlaysStore.getState();
      if (event.key === 'Escape' && overlays.tray && !document.querySelector('dialog[open]')) {
        overlays.setTray(false);
        return;
      }
      const command = keys({
        key: event.key,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        altKey: event.altKey,
        typing: isTyping(event.target),
        modalOpen: document.querySelector('dialog[open]') !== null,
      });
      if (!command) return;
      event.preventDefault();
      event.stopPropagation();
      if (command.kind === 'go') window.location.hash = hashFor(command.route);
      else if (command.kind === 'help') overlays.setHelp(true);
    };
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, []);
}
