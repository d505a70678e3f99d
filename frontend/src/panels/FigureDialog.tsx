// "Figure…": the view on screen as a publication figure (state/figureOf.ts, render/figure.ts), SVG or PNG, at a size
// and resolution chosen here, with a title and the colour legend; or as one HTML file to share (state/savedPage.ts).
import { useState } from "preact/hooks";
import { drawFigure, figureSVG, withDpi } from "../render/figure";
import type { ScatterView } from "../render/scatter";
import { figureOf } from "../state/figureOf";
import { saveHtml } from "../state/savedPage";
import { downloadBlob } from "../state/scatterActions";
import type { State } from "../state/store";

const DPIS = [96, 150, 300, 600];
const MAX_PIXELS = 16_000; // a PNG side at most (canvas limits)

export function FigureDialog({ state, view, onClose }: { state: State; view: ScatterView; onClose: () => void }) {
  const canvas = view.canvas;
  const method = state.job?.method === "tsne" ? "t-SNE" : (state.job?.method ?? "").toUpperCase();
  const [title, setTitle] = useState(`${state.embedding?.name ?? "embedding"}${method ? ` (${method})` : ""}`);
  const [width, setWidth] = useState(canvas?.clientWidth ?? 800);
  const [height, setHeight] = useState(canvas?.clientHeight ?? 600);
  const [dpi, setDpi] = useState(300);
  const [format, setFormat] = useState<"svg" | "png" | "html">("svg");
  const [legend, setLegend] = useState(true);
  const [note, setNote] = useState("");
  const name = (state.embedding?.name ?? "embedscope").replace(/[^\w.-]+/g, "_");

  const save = async () => {
    if (format === "html") {
      setNote("Saving…");
      setNote(await saveHtml(state, title));
      return;
    }
    const figure = figureOf(state, view, { title, width, height, legend }, getComputedStyle(document.documentElement));
    if (format === "svg") {
      downloadBlob(new Blob([figureSVG(figure)], { type: "image/svg+xml" }), `${name}.svg`);
      setNote(`Saved ${name}.svg: ${figure.points.length.toLocaleString("en-US")} points.`);
      return;
    }
    const scale = dpi / 96;
    const out = document.createElement("canvas");
    out.width = Math.min(MAX_PIXELS, Math.round(figure.width * scale));
    out.height = Math.min(MAX_PIXELS, Math.round(figure.height * scale));
    drawFigure(out.getContext("2d") as CanvasRenderingContext2D, figure, out.width / figure.width);
    const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, "image/png"));
    if (!blob) return;
    const png = withDpi(new Uint8Array(await blob.arrayBuffer()), dpi);
    downloadBlob(new Blob([png], { type: "image/png" }), `${name}.png`);
    setNote(`Saved ${name}.png: ${out.width} x ${out.height} pixels at ${dpi} DPI.`);
  };

  const number = (set: (v: number) => void) => (e: Event) => {
    const v = Math.round(Number((e.currentTarget as HTMLInputElement).value));
    if (Number.isFinite(v) && v >= 100 && v <= 8000) set(v);
  };
  return (
    <div class="overlay figure-dialog" id="figure-dialog" role="dialog" aria-label="Save a figure">
      <label class="field">
        <span>Title</span>
        <input id="figure-title" type="text" value={title} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <div class="figure-size">
        <label class="field inline">
          <span>Size</span>
          <input id="figure-width" type="number" min={100} max={8000} value={width} onChange={number(setWidth)} />
        </label>
        <span>x</span>
        <input id="figure-height" aria-label="Height" type="number" min={100} max={8000} value={height} onChange={number(setHeight)} />
        <span>px</span>
      </div>
      <div class="segmented" role="group" aria-label="Format">
        {(["svg", "png", "html"] as const).map((f) => (
          <button key={f} type="button" id={`figure-${f}`} aria-pressed={format === f} onClick={() => setFormat(f)}>
            {f.toUpperCase()}
          </button>
        ))}
      </div>
      {format === "png" && (
        <label class="field inline">
          <span>Resolution</span>
          <select id="figure-dpi" value={String(dpi)} onChange={(e) => setDpi(Number((e.currentTarget as HTMLSelectElement).value))}>
            {DPIS.map((d) => (
              <option key={d} value={String(d)}>
                {d} DPI
              </option>
            ))}
          </select>
        </label>
      )}
      {format === "html" && (
        <p class="note">
          One file with the page and this map: open it from disk, with no server, to hover, search, select and filter.
        </p>
      )}
      <label class="toggle" hidden={format === "html"}>
        <input id="figure-legend" type="checkbox" checked={legend} onChange={(e) => setLegend((e.currentTarget as HTMLInputElement).checked)} />
        <span>Colour legend</span>
      </label>
      <div class="buttons">
        <button type="button" class="primary" id="figure-save" onClick={() => void save()}>
          Save {format.toUpperCase()}
        </button>
        <button type="button" id="figure-close" onClick={onClose}>
          Close
        </button>
      </div>
      {note && (
        <p class="note" id="figure-note" role="status">
          {note}
        </p>
      )}
    </div>
  );
}
