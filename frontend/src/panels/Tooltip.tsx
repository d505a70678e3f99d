// The hover tooltip: the point's label and row, its thumbnail when the embedding has a sprite, and its metadata (the
// columns already loaded at once, every column once the row's values arrive from the server).
import { useEffect, useState } from "preact/hooks";
import { apiUrl } from "../api/http";
import { labelOf, type State } from "../state/store";
import { rowOf, showValue, thumbnailOf } from "../state/tooltip";

const LONG_LABEL = 40; // characters from which a label wraps over several lines

const MAX_COLUMNS = 12; // a wide table lists its first columns and says how many more it has

export function Tooltip(props: {
  state: State;
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  label?: string | null; // the label when it is known here (a tiled map's tile brought it); else the loaded column's
}) {
  const { state, index } = props;
  const emb = state.embedding;
  const [row, setRow] = useState<{ index: number; values: Record<string, unknown> } | null>(null);
  useEffect(() => {
    if (!emb || emb.columns.length === 0) return;
    let gone = false;
    const timer = window.setTimeout(() => {
      rowOf(emb, index).then(
        (values) => !gone && setRow({ index, values }),
        () => undefined, // the loaded columns still show; the next hover asks again
      );
    }, 60);
    return () => {
      gone = true;
      window.clearTimeout(timer);
    };
  }, [emb, index]);
  const sprite = emb?.sprite ?? null;
  const thumb = sprite ? thumbnailOf(sprite, index) : null;
  const spritePath = emb ? `runs/${encodeURIComponent(emb.run)}/embeddings/${encodeURIComponent(emb.id)}/sprite.png` : "";
  const spriteUrl = emb ? apiUrl(spritePath) : "";
  const columns = emb?.columns ?? [];
  const valueOf = (name: string): string => {
    const loaded = state.columns[name];
    if (loaded && index < loaded.length) return showValue(loaded[index]);
    return row?.index === index && name in row.values ? showValue(row.values[name]) : "…";
  };
  const label = props.label ?? labelOf(state, index);
  const long = label.length > LONG_LABEL; // a sentence or a paragraph (raw texts embedded): wrapped, not cut
  // beside the pointer, on the side with room
  const left = props.x > props.width - (long ? 400 : 300) ? undefined : props.x + 14;
  const right = left === undefined ? props.width - props.x + 14 : undefined;
  const top = props.y > props.height - 200 ? undefined : props.y + 14;
  const bottom = top === undefined ? props.height - props.y + 14 : undefined;
  return (
    <div class={`tooltip${long ? " long" : ""}`} id="tooltip" style={{ left, right, top, bottom }} data-index={index}>
      <div class="tooltip-head">
        <strong>{label}</strong>
        <span class="meta">#{index}</span>
      </div>
      <div class="tooltip-body">
        {thumb && (
          <div
            class="tooltip-thumb"
            id="tooltip-thumb"
            style={{
              width: `${thumb.width}px`,
              height: `${thumb.height}px`,
              backgroundImage: `url("${spriteUrl}")`,
              backgroundSize: thumb.backgroundSize,
              backgroundPosition: thumb.backgroundPosition,
              imageRendering: thumb.scale > 1 ? "pixelated" : "auto",
            }}
          />
        )}
        {columns.length > 0 && (
          <dl class="tooltip-meta" id="tooltip-meta">
            {columns.slice(0, MAX_COLUMNS).map((c) => (
              <div key={c.name} data-column={c.name}>
                <dt>{c.name}</dt>
                <dd>{valueOf(c.name)}</dd>
              </div>
            ))}
            {columns.length > MAX_COLUMNS && <div class="meta">and {columns.length - MAX_COLUMNS} more columns</div>}
          </dl>
        )}
      </div>
    </div>
  );
}
