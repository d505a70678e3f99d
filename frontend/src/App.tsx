// The page: header, data and projection panels (left), the scatter view (middle), the inspector (right).
import { dismissError } from "./state/actions";
import { useStore } from "./state/store";
import { BookmarksPanel } from "./panels/BookmarksPanel";
import { DataPanel } from "./panels/DataPanel";
import { Inspector } from "./panels/Inspector";
import { ProjectionsPanel } from "./panels/ProjectionsPanel";
import { ScatterPane } from "./panels/ScatterPane";

export function App() {
  const state = useStore();
  return (
    <div class="app">
      <header class="topbar">
        <h1>
          <span class="logo" aria-hidden="true" />
          embedscope
        </h1>
        {state.runs?.source && <span class="source" title={state.runs.source}>{state.runs.source}</span>}
      </header>
      {state.error && (
        <div class="banner error" role="alert" id="error">
          <span>{state.error}</span>
          <button type="button" class="link" onClick={dismissError} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      <div class="left">
        <DataPanel state={state} />
        <ProjectionsPanel state={state} />
        <BookmarksPanel state={state} />
      </div>
      <ScatterPane state={state} />
      <Inspector state={state} />
    </div>
  );
}
