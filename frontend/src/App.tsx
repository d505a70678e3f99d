// The page: header, data and projection panels (left), the scatter view (middle), the inspector (right); the error,
// lost-connection and help overlays; the keyboard shortcuts.
import { useEffect } from "preact/hooks";
import { CANNOT_REACH } from "./api/client";
import { dismissError } from "./state/actions";
import { installShortcuts } from "./state/keyboard";
import { store, useStore } from "./state/store";
import { BookmarksPanel } from "./panels/BookmarksPanel";
import { ConnectionBanner } from "./panels/ConnectionBanner";
import { DataPanel } from "./panels/DataPanel";
import { HelpDialog } from "./panels/HelpDialog";
import { Inspector } from "./panels/Inspector";
import { ProjectionsPanel } from "./panels/ProjectionsPanel";
import { ScatterPane } from "./panels/ScatterPane";

export function App() {
  const state = useStore();
  useEffect(() => installShortcuts(), []);
  // while the banner says the connection is lost, a request's "cannot reach the server" would only repeat it
  const error = state.offline && state.error?.startsWith(CANNOT_REACH) ? null : state.error;
  return (
    <div class="app">
      <header class="topbar">
        <h1>
          <span class="logo" aria-hidden="true" />
          embedscope
        </h1>
        {state.runs?.source && <span class="source" title={state.runs.source}>{state.runs.source}</span>}
        <button
          type="button"
          class="help-button"
          id="help-button"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          aria-haspopup="dialog"
          onClick={() => store.set({ helpOpen: !state.helpOpen })}
        >
          ?
        </button>
      </header>
      <div class="banners">
        {state.offline && <ConnectionBanner offline={state.offline} />}
        {error && (
          <div class="banner error" role="alert" id="error">
            <span>{error}</span>
            <button type="button" class="link" onClick={dismissError} aria-label="Dismiss the message">
              ✕
            </button>
          </div>
        )}
      </div>
      <div class="left">
        <DataPanel state={state} />
        <ProjectionsPanel state={state} />
        <BookmarksPanel state={state} />
      </div>
      <ScatterPane state={state} />
      <Inspector state={state} />
      {state.helpOpen && <HelpDialog />}
    </div>
  );
}
