// The inspector's search: the box, text or regular expression, the column searched, and a pattern's error.
import { useRef } from "preact/hooks";
import { search, setSearchOptions } from "../state/actions";
import type { State } from "../state/store";

export function SearchBox({ state }: { state: State }) {
  const timer = useRef<number | undefined>(undefined);
  const onInput = (text: string) => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void search(text), 180);
  };
  const columns = state.embedding?.columns ?? [];
  const column = state.searchColumn ?? state.labelBy ?? "";
  const regex = state.searchRegex;
  return (
    <div class="search-box">
      <label class="field">
        <span>Search</span>
        <input
        id="search"
        type="search"
        placeholder={regex ? "Regular expression, e.g. ^th" : "Text to look for…"}
        aria-describedby={state.searchError ? "search-error" : undefined}
        aria-invalid={state.searchError ? true : undefined}
        spellcheck={false}
        value={state.searchText}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            window.clearTimeout(timer.current);
            void search((e.currentTarget as HTMLInputElement).value);
          }
        }}
        />
      </label>
      <div class="search-options">
        <div class="segmented compact" role="group" aria-label="Match as">
          <button
            type="button"
            id="search-substring"
            aria-pressed={!regex}
            title="Rows whose value contains the text (case-insensitive)"
            onClick={() => void setSearchOptions({ searchRegex: false })}
          >
            Text
          </button>
          <button
            type="button"
            id="search-regex"
            aria-pressed={regex}
            title="Rows whose value matches the regular expression (RE2 syntax, case-insensitive)"
            onClick={() => void setSearchOptions({ searchRegex: true })}
          >
            .* Regex
          </button>
        </div>
        <label class="search-column">
          <span>in</span>
          <select
            id="search-column"
            aria-label="Column to search"
            value={column}
            disabled={columns.length === 0}
            onChange={(e) => void setSearchOptions({ searchColumn: (e.currentTarget as HTMLSelectElement).value })}
          >
            {columns.length === 0 && <option value="">row number</option>}
            {columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {state.searchError && (
        <p class="note error" id="search-error" role="alert">
          {state.searchError}
        </p>
      )}
    </div>
  );
}
