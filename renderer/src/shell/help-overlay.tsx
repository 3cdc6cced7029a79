import { ModalDialog } from '../components/modal-dialog';
import { useOverlaysStore } from '../state/overlays-store';
import { SHORTCUT_GROUPS } from './shortcuts';

/** Every keyboard shortcut, opened with `?` or the header's button; Escape closes it. */
export function HelpOverlay() {
  const open = useOverlaysStore((store) => store.help);
  const setHelp = useOverlaysStore((store) => store.setHelp);
  if (!open) return null;
  const close = () => setHelp(false);
  return (
    <ModalDialog title="Keyboard shortcuts" onClose={close} className="dialog--wide">
      {SHORTCUT_GROUPS.map((group) => (
        <section key={group.title} aria-label={group.title}>
          <h3>{group.title}</h3>
          <table className="table shortcuts" aria-label={group.title}>
            <tbody>
              {group.shortcuts.map((shortcut) => (
                <tr key={shortcut.action}>
                  <th scope="row">
                    {shortcut.keys.map((key, i) => (
                      <span key={key}>
                        {i > 0 ? (
                          <span className="shortcuts__joiner"> {shortcut.joiner ?? 'then'} </span>
                        ) : null}
                        <kbd>{key}</kbd>
                      </span>
                    ))}
                  </th>
                  <td>{shortcut.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <div className="dialog__actions">
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
