// The page: header, data and projection panels (left), the scatter view (middle, with the error and lost-connection
// banners under its toolbar), the inspector (right); the help dialog; the keyboard shortcuts. Compact (a narrow frame,
// or `embed=1`: the notebook widget): tabs instead of the header, one panel beside the plot (state/layout.ts).
import { useEffect, useState } from "preact/hooks";
import { staticData } from "./api/staticFile";
import { installShortcuts } from "./state/keyboard";
import { PANES, type Pane, useCompact } from "./state/layout";
import { type State, store, useStore } from "./state/store";
import { BookmarksPanel } from "./panels/BookmarksPanel";
import { DataPanel } from "./panels/DataPanel";
import { FiltersPanel } from "./panels/FiltersPanel";
import { HelpDialog } from "./panels/HelpDialog";
import { Inspector } from "./panels/Inspector";
import { ProjectionsPanel } from "./panels/ProjectionsPanel";
import { ScatterPane } from "./panels/ScatterPane";
import { TilePane } from "./panels/TilePane";

function HelpButton({ state }: { state: State }) {
  return (
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
  );
}

/** The map: whole, or from its tiles when it is too large to send whole (state/tileActions.ts). */
const Plot = ({ state }: { state: State }) => (state.tiles ? <TilePane state={state} /> : <ScatterPane state={state} />);

const saved = staticData() !== null; // a page saved as one file: no server keeps bookmarks

function Wide({ state }: { state: State }) {
  return (
    <div class="app">
      <header class="topbar">
        <h1>
          <span class="logo" aria-hidden="true" />
          embedscope
        </h1>
        {state.runs?.source && <span class="source" title={state.runs.source}>{state.runs.source}</span>}
        <HelpButton state={state} />
      </header>
      <div class="left">
        <DataPanel state={state} />
        <FiltersPanel state={state} />
        <ProjectionsPanel state={state} />
        {!saved && <BookmarksPanel state={state} />}
      </div>
      <Plot state={state} />
      <Inspector state={state} />
      {state.helpOpen && <HelpDialog />}
    </div>
  );
}

const PANEL: Record<Pane, (props: { state: State }) => preact.JSX.Element | null> = {
  data: DataPanel,
  filters: FiltersPanel,
  projection: ProjectionsPanel,
  inspector: Inspector,
  bookmarks: BookmarksPanel,
};

function Compact({ state }: { state: State }) {
  const [pane, setPane] = useState<Pane | null>("inspector"); // search and the selection: what a notebook shares
  const Panel = pane ? PANEL[pane] : null;
  return (
    <div class={pane ? "app compact" : "app compact collapsed"}>
      <nav class="pane-tabs tabs" role="tablist" aria-label="Panels">
        {PANES.map(([id, name]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`pane-${id}`}
            aria-selected={pane === id}
            aria-controls="pane"
            title={pane === id ? `Hide the ${name.toLowerCase()} panel` : undefined}
            onClick={() => setPane(pane === id ? null : id)}
          >
            {name}
          </button>
        ))}
        <HelpButton state={state} />
      </nav>
      {Panel && (
        <div class="pane" id="pane" role="tabpanel" aria-labelledby={`pane-${pane}`}>
          <Panel state={state} />
        </div>
      )}
      <Plot state={state} />
      {state.helpOpen && <HelpDialog />}
    </div>
  );
}

export function App() {
  const state = useStore();
  const compact = useCompact();
  useEffect(() => installShortcuts(), []);
  return compact ? <Compact state={state} /> : <Wide state={state} />;
}
