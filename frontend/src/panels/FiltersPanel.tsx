// Filters panel: filters on metadata columns (state/filters.ts) that combine; the points that do not match are greyed
// out on the plot. A column with few values: a checkbox per value with its count; numbers: a range brushed over their
// histogram (or typed); any other column: a text to find. The matching points can be selected or isolated.
import { useRef, useState } from "preact/hooks";
import type { ColumnInfo } from "../api/types";
import { type Filter, fromUnit, histogram, logScale, toUnit } from "../state/filters";
import {
  addFilter,
  clearFilters,
  isolateMatches,
  matching,
  removeFilter,
  selectMatches,
  setFilter,
  toggleFilterValue,
} from "../state/filterActions";
import { type State, type Values, largeTable } from "../state/store";

const fmt = (n: number) => n.toLocaleString("en-US");
const BINS = 40;

export function FiltersPanel({ state }: { state: State }) {
  const emb = state.embedding;
  if (!emb) return null;
  if (largeTable(state)) {
    // the page holds no column of such a table whole: what it offers instead answers on the server
    const most = (state.options?.map.tiles_from ?? 0).toLocaleString("en-US");
    return (
      <section class="panel filters" aria-labelledby="filters-title">
        <h2 id="filters-title">Filters</h2>
        <p class="hint" id="filters-large">
          Filters hold their column in the page: tables of up to {most} rows. Here, search (a regular expression
          too) and box selection answer over every row, and Isolate maps the selected rows alone.
        </p>
      </section>
    );
  }
  const used = new Set(state.filters.map((f) => f.column));
  const free = emb.columns.filter((c) => !used.has(c.name));
  const mask = matching(state);
  let count = 0;
  if (mask) for (const m of mask) count += m;
  return (
    <section class="panel filters" aria-labelledby="filters-title">
      <h2 id="filters-title">Filters</h2>
      {state.filters.map((f) => (
        <FilterBox key={f.column} filter={f} info={emb.columns.find((c) => c.name === f.column)} values={state.columns[f.column]} />
      ))}
      {free.length > 0 && (
        <select
          id="add-filter"
          value=""
          aria-label="Add a filter"
          onChange={(e) => {
            const column = (e.currentTarget as HTMLSelectElement).value;
            (e.currentTarget as HTMLSelectElement).value = "";
            if (column) void addFilter(column);
          }}
        >
          <option value="">{state.filters.length ? "Add another filter…" : "Filter by a column…"}</option>
          {free.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      )}
      {mask && (
        <>
          <p class="note" id="filter-count" role="status">
            <strong>{fmt(count)}</strong> of {fmt(mask.length)} points match
            {count < mask.length ? "; the others are greyed out" : ""}.
          </p>
          <div class="buttons row-buttons">
            <button type="button" id="select-matches" disabled={count === 0} onClick={selectMatches} title="Select the points that match">
              Select
            </button>
            <button
              type="button"
              id="isolate-matches"
              disabled={count < 3}
              title="Project only the points that match, with the current method"
              onClick={() => void isolateMatches()}
            >
              Isolate
            </button>
            <button type="button" id="clear-filters" onClick={clearFilters}>
              Clear
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function FilterBox({ filter, info, values }: { filter: Filter; info: ColumnInfo | undefined; values: Values | undefined }) {
  return (
    <div class="filter" data-column={filter.column} data-kind={filter.kind}>
      <div class="filter-head">
        <span class="filter-name">{filter.column}</span>
        <button
          type="button"
          class="filter-remove"
          title={`Remove the filter on ${filter.column}`}
          aria-label={`Remove the filter on ${filter.column}`}
          onClick={() => removeFilter(filter.column)}
        >
          ×
        </button>
      </div>
      {filter.kind === "values" && <ValueList filter={filter} info={info} />}
      {filter.kind === "range" && <RangeFilter filter={filter} info={info} values={values} />}
      {filter.kind === "text" && (
        <input
          type="search"
          class="filter-text"
          placeholder={`Text in ${filter.column}`}
          value={filter.text}
          onInput={(e) => setFilter({ ...filter, text: (e.currentTarget as HTMLInputElement).value })}
        />
      )}
    </div>
  );
}

function ValueList({ filter, info }: { filter: Extract<Filter, { kind: "values" }>; info: ColumnInfo | undefined }) {
  const all = info?.distinct ?? [];
  const kept = new Set(filter.values);
  const toggle = (value: string, on: boolean) => toggleFilterValue(filter.column, value, on);
  return (
    <>
      <div class="filter-all">
        <button type="button" class="link" onClick={() => setFilter({ ...filter, values: all.map((d) => String(d.value)) })}>
          all
        </button>
        <button type="button" class="link" onClick={() => setFilter({ ...filter, values: [] })}>
          none
        </button>
      </div>
      <ul class="filter-values">
        {all.map((d) => {
          const value = String(d.value);
          return (
            <li key={value}>
              <label>
                <input type="checkbox" checked={kept.has(value)} onChange={(e) => toggle(value, (e.currentTarget as HTMLInputElement).checked)} />
                <span class="filter-value">{value === "" ? "(empty)" : value}</span>
                <span class="count">{fmt(d.count)}</span>
              </label>
            </li>
          );
        })}
      </ul>
    </>
  );
}

function RangeFilter({
  filter,
  info,
  values,
}: {
  filter: Extract<Filter, { kind: "range" }>;
  info: ColumnInfo | undefined;
  values: Values | undefined;
}) {
  const lo = info?.min ?? filter.min;
  const hi = info?.max ?? filter.max;
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  const log = logScale(lo, hi);
  const counts = values ? histogram(values, lo, hi, BINS, log) : [];
  const top = Math.max(1, ...counts);
  const at = (clientX: number) => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.width === 0) return lo;
    return fromUnit(Math.min(1, Math.max(0, (clientX - box.left) / box.width)), lo, hi, log);
  };
  const shown = drag ? [Math.min(...drag), Math.max(...drag)] : [filter.min, filter.max];
  const x = (v: number) => toUnit(Math.min(hi, Math.max(lo, v)), lo, hi, log) * 240;
  const number = (v: number) => Number(v.toPrecision(6));
  return (
    <>
      <svg
        ref={svg}
        class="filter-histogram"
        viewBox="0 0 240 44"
        preserveAspectRatio="none"
        role="img"
        aria-label={`Histogram of ${filter.column}${log ? " (log scale)" : ""}: drag across it to choose a range`}
        onPointerDown={(e) => {
          (e.currentTarget as SVGSVGElement).setPointerCapture(e.pointerId);
          setDrag([at(e.clientX), at(e.clientX)]);
        }}
        onPointerMove={(e) => drag && setDrag([drag[0], at(e.clientX)])}
        onPointerUp={() => {
          if (drag) setFilter({ ...filter, min: number(Math.min(...drag)), max: number(Math.max(...drag)) });
          setDrag(null);
        }}
      >
        <rect class="brush" x={x(shown[0])} width={Math.max(1, x(shown[1]) - x(shown[0]))} y={0} height={44} />
        {counts.map((c, b) => {
          const mid = fromUnit((b + 0.5) / BINS, lo, hi, log);
          const inside = mid >= shown[0] && mid <= shown[1];
          const h = (c / top) * 40;
          return <rect key={b} class={inside ? "bar in" : "bar"} x={(b * 240) / BINS + 0.5} width={240 / BINS - 1} y={44 - h} height={h} />;
        })}
      </svg>
      <div class="filter-range">
        <input
          type="number"
          class="min"
          aria-label={`Lowest ${filter.column}`}
          value={number(filter.min)}
          step="any"
          onChange={(e) => {
            const v = Number((e.currentTarget as HTMLInputElement).value);
            if (Number.isFinite(v)) setFilter({ ...filter, min: Math.min(v, filter.max) });
          }}
        />
        <span>to</span>
        <input
          type="number"
          class="max"
          aria-label={`Highest ${filter.column}`}
          value={number(filter.max)}
          step="any"
          onChange={(e) => {
            const v = Number((e.currentTarget as HTMLInputElement).value);
            if (Number.isFinite(v)) setFilter({ ...filter, max: Math.max(v, filter.min) });
          }}
        />
      </div>
    </>
  );
}
