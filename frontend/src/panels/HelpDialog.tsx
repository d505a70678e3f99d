// The keyboard shortcuts' help (`?`): a small modal dialog; Escape or Close shuts it and gives focus back.
import { useLayoutEffect, useRef } from "preact/hooks";
import { SHORTCUTS } from "../state/keyboard";
import { store } from "../state/store";

export function HelpDialog() {
  const close = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    // at once, not after the next paint: a key pressed as soon as the dialog shows goes to it
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, []);
  const shut = () => store.set({ helpOpen: false });
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && shut()}>
      <div class="dialog panel" role="dialog" aria-modal="true" aria-labelledby="help-title" id="help">
        <h2 id="help-title">Keyboard shortcuts</h2>
        <table class="shortcuts">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <th scope="row">
                  <kbd>{keys}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="note">Tab moves between the controls; Enter or Space presses a button.</p>
        <div class="buttons" style={{ justifyContent: "flex-end" }}>
          <button ref={close} type="button" id="help-close" onClick={shut}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
