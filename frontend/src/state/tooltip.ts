// What the hover tooltip shows besides the label: the point's thumbnail cut out of the sprite sheet (CSS background
// offsets from the sprite's grid, row-major as the server's sprite.py and render/spriteLayers.ts lay it out) and every
// metadata column's value for the row, fetched once per row and kept for the next hover.
import { api } from "../api/client";
import type { EmbeddingInfo, SpriteInfo } from "../api/types";

interface Thumbnail {
  width: number; // CSS px of the box drawn
  height: number;
  backgroundSize: string; // the whole sheet, scaled as the thumbnail is
  backgroundPosition: string; // the thumbnail's top left, shifted into the box
  scale: number;
}

/** The thumbnail of row `index` as a box at most `maxSide` px on its longer side (small sprites are scaled up). */
export function thumbnailOf(sprite: SpriteInfo, index: number, maxSide = 64): Thumbnail {
  const [w, h] = sprite.single_image_dim;
  const columns = Math.max(1, sprite.grid[0]);
  const scale = maxSide / Math.max(w, h, 1);
  const col = index % columns;
  const row = Math.floor(index / columns);
  const px = (v: number) => `${v === 0 ? 0 : -v}px`;
  return {
    width: w * scale,
    height: h * scale,
    backgroundSize: `${sprite.image_size[0] * scale}px ${sprite.image_size[1] * scale}px`,
    backgroundPosition: `${px(col * w * scale)} ${px(row * h * scale)}`,
    scale,
  };
}

/** A row's value as the tooltip writes it. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-US") : String(+v.toPrecision(6));
  return String(v);
}

const MAX_ROWS = 500;
const rows = new Map<string, Promise<Record<string, unknown>>>();

/** Every metadata value of one row (cached: hovering back and forth asks the server once). */
export function rowOf(emb: EmbeddingInfo, index: number): Promise<Record<string, unknown>> {
  const key = `${emb.run}/${emb.id}/${emb.columns.map((c) => c.name).join(",")}/${index}`;
  let row = rows.get(key);
  if (!row) {
    if (rows.size >= MAX_ROWS) rows.delete(rows.keys().next().value as string);
    row = api.metadataRow(emb.run, emb.id, index);
    row.catch(() => rows.delete(key)); // asked again on the next hover
    rows.set(key, row);
  }
  return row;
}
