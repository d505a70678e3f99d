// The embedding picker: a button with the shown embedding's whole name (wrapped, never cut off) and shape; it opens a
// list of every embedding with its name and shape, and a filter box when there are many (a model's 40 tensors).
// Keys: Up and Down move through the list, Enter opens the one marked, Escape closes it.
import { useEffect, useRef, useState } from "preact/hooks";
import { chooseEmbedding } from "../state/actions";
import { type Choice, FILTER_FROM, choicesOf, filterChoices, shapeOf } from "../state/embeddingChoice";
import type { State } from "../state/store";

const fmt = (n: number) => n.toLocaleString("en-US");

/** A tensor's name that may wrap after its dots and underscores ("embeddings.word_embeddings.weight"). */
function Name({ text }: { text: string }) {
  const parts = text.split(/(?<=[._/])/);
  return (
    <>
      {parts.map((part, k) => (
        <>
          {k > 0 && <wbr />}
          {part}
        </>
      ))}
    </>
  );
}

export function EmbeddingPicker({ state }: { state: State }) {
  const choices = choicesOf(state.runs);
  const emb = state.embedding;
  const current = emb ? `${emb.run}/${emb.id}` : "";
  const chosen = choices.find((c) => c.value === current);
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const [active, setActive] = useState(0);
  const [place, setPlace] = useState<{ left: number; top: number; width: number; maxHeight: number } | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const box = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const shown = filterChoices(choices, filter);
  const withFilter = choices.length >= FILTER_FROM;

  const close = (focusButton: boolean) => {
    setOpen(false);
    setFilter("");
    if (focusButton) button.current?.focus();
  };
  const pick = (choice: Choice | undefined) => {
    if (!choice) return;
    close(true);
    if (choice.value !== current) void chooseEmbedding(choice.emb.run, choice.emb.id);
  };

  useEffect(() => {
    if (!open) return;
    // fixed under the button, wider than the panel when there is room (the panels' scroll boxes do not clip it)
    const r = (button.current as HTMLButtonElement).getBoundingClientRect();
    const width = Math.min(Math.max(r.width, 440), window.innerWidth - r.left - 8);
    setPlace({ left: r.left, top: r.bottom + 4, width, maxHeight: Math.max(160, window.innerHeight - r.bottom - 16) });
    setActive(Math.max(0, shown.findIndex((c) => c.value === current)));
    (withFilter ? box.current : list.current)?.focus();
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) close(false);
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [open]);
  useEffect(() => {
    list.current?.querySelector(`[data-pos="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [active, open]);

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((a) => Math.min(Math.max(a + step, 0), Math.max(shown.length - 1, 0)));
    } else if (e.key === "Enter") {
      e.preventDefault();
      pick(shown[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation(); // the page's own Escape (clear the selection) is not meant
      close(true);
    }
  };

  return (
    <div class="picker" ref={root}>
      <button
        type="button"
        ref={button}
        id="embedding-select"
        class="picker-button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-label={emb ? `Embedding: ${emb.name}, ${shapeOf(emb)}` : "Embedding"}
        disabled={choices.length === 0}
        onClick={() => (open ? close(false) : setOpen(true))}
      >
        <span class="picker-name" id="embedding-name">
          {chosen?.run ? `${chosen.run} / ` : ""}
          <Name text={emb?.name ?? "…"} />
        </span>
        {choices.length > 1 && <span class="picker-caret" aria-hidden="true">▾</span>}
      </button>
      {open && (
        <div
          class="picker-menu"
          id="embedding-menu"
          onKeyDown={onKey}
          style={place ? { left: `${place.left}px`, top: `${place.top}px`, width: `${place.width}px`, maxHeight: `${place.maxHeight}px` } : undefined}
        >
          {withFilter && (
            <input
              ref={box}
              type="search"
              id="embedding-filter"
              placeholder={`Filter ${fmt(choices.length)} embeddings`}
              aria-label="Filter the embeddings by name"
              aria-controls="embedding-list"
              value={filter}
              onInput={(e) => {
                setFilter((e.currentTarget as HTMLInputElement).value);
                setActive(0);
              }}
            />
          )}
          <ul
            ref={list}
            class="picker-list"
            id="embedding-list"
            role="listbox"
            tabIndex={-1}
            aria-label="Embeddings"
            aria-activedescendant={shown[active] ? `embedding-option-${active}` : undefined}
          >
            {shown.map((c, pos) => (
              <li
                key={c.value}
                id={`embedding-option-${pos}`}
                role="option"
                data-value={c.value}
                data-pos={pos}
                aria-selected={c.value === current}
                class={pos === active ? "active" : undefined}
                onPointerEnter={() => setActive(pos)}
                onClick={() => pick(c)}
              >
                <span class="picker-name">
                  {c.run ? `${c.run} / ` : ""}
                  <Name text={c.emb.name} />
                </span>
                <span class="meta">{shapeOf(c.emb)}</span>
              </li>
            ))}
            {shown.length === 0 && <li class="note picker-none">No embedding's name holds “{filter}”.</li>}
          </ul>
        </div>
      )}
    </div>
  );
}
