// The inspector's search: the box, text or regular expression, the column searched, and a pattern's error.
import { useRef } from "preact/hooks";
import { search, setSearchOptions } from "../state/actions";
import { searchMeaning, setMeaningMode } from "../state/meaningActions";
import { type State, store } from "../state/store";

export function SearchBox({ state }: { state: State }) {
  const timer = useRef<number | undefined>(undefined);
  const meaning = state.searchMeaning;
  const onInput = (text: string) => {
    window.clearTimeout(timer.current);
    if (meaning) store.set({ searchText: text }); // a meaning is searched on Enter: the model runs once
    else timer.current = window.setTimeout(() => void search(text), 180);
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
        placeholder={meaning ? "A meaning, e.g. a refund that never came ⏎" : regex ? "Regular expression, e.g. ^th" : "Text to look for…"}
        aria-describedby={state.searchError ? "search-error" : undefined}
        aria-invalid={state.searchError ? true : undefined}
        spellcheck={false}
        value={state.searchText}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            window.clearTimeout(timer.current);
            const text = (e.currentTarget as HTMLInputElement).value;
            void (meaning ? searchMeaning(text) : search(text));
          }
        }}
        />
      </label>
      <div class="search-options">
        <div class="segmented compact" role="group" aria-label="Match as">
          <button
            type="button"
            id="search-substring"
            aria-pressed={!regex && !meaning}
            title="Rows whose value contains the text (case-insensitive)"
            onClick={() => {
              setMeaningMode(false);
              void setSearchOptions({ searchRegex: false });
            }}
          >
            Text
          </button>
          <button
            type="button"
            id="search-regex"
            aria-pressed={regex && !meaning}
            title="Rows whose value matches the regular expression (RE2 syntax, case-insensitive)"
            onClick={() => {
              setMeaningMode(false);
              void setSearchOptions({ searchRegex: true });
            }}
          >
            .* Regex
          </button>
          <button
            type="button"
            id="search-meaning"
            aria-pressed={meaning}
            title="The points nearest in meaning to the text (press Enter): embedded by the model that made the vectors, or the mean of its words' vectors in a word table"
            onClick={() => setMeaningMode(true)}
          >
            Meaning
          </button>
        </div>
        {!meaning && (
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
        )}
      </div>
      {state.searchError && (
        <p class="note error" id="search-error" role="alert">
          {state.searchError}
        </p>
      )}
    </div>
  );
}
