// A publication figure of the view on screen: the points where the camera shows them, in their colours (greyed and
// faded as drawn), the cluster labels or point labels shown, a title, the colour legend and the axis labels, as SVG
// or as a PNG at a chosen size and resolution (its pHYs chunk says the DPI). The same drawing goes to both: the SVG is
// written from the figure's parts, the PNG draws them on a canvas.
import type { RGB } from "./palette";

export interface FigurePoint {
  x: number; // CSS pixels of the figure, top left origin
  y: number;
  color: [number, number, number, number]; // RGBA, alpha 0..255
}

export interface FigureLabel {
  x: number; // the label's centre (cluster labels) or left edge (point labels: anchor "start")
  y: number;
  text: string;
  size: number; // px
  bold: boolean;
  anchor: "middle" | "start";
  halo: boolean; // a background-coloured outline under the text
}

export interface Figure {
  width: number; // CSS pixels
  height: number;
  background: string; // CSS colours
  ink: string;
  muted: string;
  title: string;
  radius: number; // points' radius, px
  points: FigurePoint[]; // in drawing order (faded ones first)
  labels: FigureLabel[];
  legend: { title: string; entries: { label: string; color: RGB }[] } | null;
  axes: { x: string; y: string } | null;
}

export const TITLE_H = 34; // px the title takes at the top
const FONT = "Inter, 'Segoe UI', system-ui, sans-serif";
const LEGEND_ROW = 17;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const rgb = (c: readonly number[]) => `rgb(${c[0]},${c[1]},${c[2]})`;
const round = (v: number) => Math.round(v * 100) / 100;

/** The legend's box: right edge at the figure's, below the title. */
function legendBox(f: Figure): { x: number; y: number; w: number; h: number } | null {
  if (!f.legend || f.legend.entries.length === 0) return null;
  const longest = Math.max(f.legend.title.length, ...f.legend.entries.map((e) => e.label.length + 3));
  const w = Math.min(220, 16 + longest * 7);
  return { x: f.width - w - 10, y: (f.title ? TITLE_H : 0) + 8, w, h: 26 + f.legend.entries.length * LEGEND_ROW };
}

/** The figure as an SVG document. */
export function figureSVG(f: Figure): string {
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="${esc(FONT)}">`,
    `<rect width="100%" height="100%" fill="${esc(f.background)}"/>`,
    `<g id="points">`,
  ];
  for (const p of f.points) {
    const a = p.color[3] / 255;
    out.push(
      `<circle cx="${round(p.x)}" cy="${round(p.y)}" r="${f.radius}" fill="${rgb(p.color)}"${a < 1 ? ` fill-opacity="${round(a)}"` : ""}/>`,
    );
  }
  out.push(`</g><g id="labels">`);
  for (const l of f.labels) {
    const common = `x="${round(l.x)}" y="${round(l.y)}" font-size="${l.size}" font-weight="${l.bold ? 700 : 500}" text-anchor="${l.anchor}" dominant-baseline="central"`;
    if (l.halo) {
      out.push(`<text ${common} fill="none" stroke="${esc(f.background)}" stroke-width="3" stroke-linejoin="round">${esc(l.text)}</text>`);
    }
    out.push(`<text ${common} fill="${esc(f.ink)}">${esc(l.text)}</text>`);
  }
  out.push(`</g>`);
  if (f.title) {
    out.push(`<text id="title" x="${f.width / 2}" y="22" font-size="17" font-weight="700" text-anchor="middle" fill="${esc(f.ink)}">${esc(f.title)}</text>`);
  }
  const box = legendBox(f);
  if (box && f.legend) {
    out.push(`<g id="legend"><rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="6" fill="${esc(f.background)}" fill-opacity="0.9" stroke="${esc(f.muted)}" stroke-opacity="0.4"/>`);
    out.push(`<text x="${box.x + 8}" y="${box.y + 16}" font-size="12" font-weight="700" fill="${esc(f.ink)}">${esc(f.legend.title)}</text>`);
    f.legend.entries.forEach((e, k) => {
      const y = box.y + 30 + k * LEGEND_ROW;
      out.push(`<circle cx="${box.x + 13}" cy="${y}" r="5" fill="${rgb(e.color)}"/>`);
      out.push(`<text x="${box.x + 24}" y="${y}" font-size="12" dominant-baseline="central" fill="${esc(f.ink)}">${esc(e.label)}</text>`);
    });
    out.push(`</g>`);
  }
  if (f.axes) {
    out.push(`<text x="${f.width / 2}" y="${f.height - 10}" font-size="13" text-anchor="middle" fill="${esc(f.muted)}">${esc(f.axes.x)}</text>`);
    out.push(`<text transform="translate(16 ${f.height / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="${esc(f.muted)}">${esc(f.axes.y)}</text>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}

/** Draw the figure on a 2-D canvas context, `scale` device pixels a CSS pixel. */
export function drawFigure(ctx: CanvasRenderingContext2D, f: Figure, scale: number): void {
  ctx.save();
  ctx.scale(scale, scale);
  ctx.fillStyle = f.background;
  ctx.fillRect(0, 0, f.width, f.height);
  for (const p of f.points) {
    ctx.fillStyle = `rgba(${p.color[0]},${p.color[1]},${p.color[2]},${p.color[3] / 255})`;
    ctx.beginPath();
    ctx.arc(p.x, p.y, f.radius, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.textBaseline = "middle";
  for (const l of f.labels) {
    ctx.font = `${l.bold ? 700 : 500} ${l.size}px ${FONT}`;
    ctx.textAlign = l.anchor === "middle" ? "center" : "left";
    if (l.halo) {
      ctx.strokeStyle = f.background;
      ctx.lineWidth = 3;
      ctx.lineJoin = "round";
      ctx.strokeText(l.text, l.x, l.y);
    }
    ctx.fillStyle = f.ink;
    ctx.fillText(l.text, l.x, l.y);
  }
  ctx.textBaseline = "alphabetic";
  if (f.title) {
    ctx.font = `700 17px ${FONT}`;
    ctx.textAlign = "center";
    ctx.fillStyle = f.ink;
    ctx.fillText(f.title, f.width / 2, 22);
  }
  const box = legendBox(f);
  if (box && f.legend) {
    ctx.globalAlpha = 0.9;
    ctx.fillStyle = f.background;
    ctx.fillRect(box.x, box.y, box.w, box.h);
    ctx.globalAlpha = 1;
    ctx.textAlign = "left";
    ctx.font = `700 12px ${FONT}`;
    ctx.fillStyle = f.ink;
    ctx.fillText(f.legend.title, box.x + 8, box.y + 16);
    ctx.font = `500 12px ${FONT}`;
    ctx.textBaseline = "middle";
    f.legend.entries.forEach((e, k) => {
      const y = box.y + 30 + k * LEGEND_ROW;
      ctx.fillStyle = rgb(e.color);
      ctx.beginPath();
      ctx.arc(box.x + 13, y, 5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = f.ink;
      ctx.fillText(e.label, box.x + 24, y);
    });
  }
  if (f.axes) {
    ctx.font = `500 13px ${FONT}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    ctx.fillStyle = f.muted;
    ctx.fillText(f.axes.x, f.width / 2, f.height - 10);
    ctx.save();
    ctx.translate(16, f.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(f.axes.y, 0, 0);
    ctx.restore();
  }
  ctx.restore();
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG file with a pHYs chunk saying `dpi` (pixels per metre), placed right after IHDR as the format asks. */
export function withDpi(png: Uint8Array, dpi: number): Uint8Array<ArrayBuffer> {
  const ppm = Math.round(dpi / 0.0254);
  const chunk = new Uint8Array(21);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, 9);
  chunk.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
  view.setUint32(8, ppm);
  view.setUint32(12, ppm);
  chunk[16] = 1; // the unit is the metre
  view.setUint32(17, crc32(chunk.subarray(4, 17)));
  const ihdrEnd = 8 + 4 + 4 + 13 + 4; // signature, IHDR length, type, data, CRC
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, ihdrEnd), 0);
  out.set(chunk, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + chunk.length);
  return out;
}
