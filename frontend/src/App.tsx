// The page: header, data and projection panels (left), the scatter view (middle, with the error and lost-connection
// banners under its toolbar), the inspector (right); the help dialog; the keyboard shortcuts.
import { useEffect } from "preact/hooks";
import { installShortcuts } from "./state/keyboard";
import { store, useStore } from "./state/store";
import { BookmarksPanel } from "./panels/BookmarksPanel";
import { DataPanel } from "./panels/DataPanel";
import { HelpDialog } from "./panels/HelpDialog";
import { Inspector } from "./panels/Inspector";
import { ProjectionsPanel } from "./panels/ProjectionsPanel";
import { ScatterPane } from "./panels/ScatterPane";

export function App() {
  const state = useStore();
  useEffect(() => installShortcuts(), []);
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
