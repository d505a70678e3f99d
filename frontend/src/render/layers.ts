// The deck.gl layers of the scatter view: points (binary attributes, no per-point JS objects), sprites, the selection's
// rings, the clicked point's ring, the hovered point and the labels. Built afresh on each change; deck.gl diffs them
// (the big arrays are the same objects from one build to the next, so nothing per point is uploaded again). Many
// points (or a few thousand on a software renderer) are drawn as GL_POINTS sprites (pointsLayer.ts), fewer as deck.gl's
// scatterplot discs.
import { BitmapLayer, ScatterplotLayer, TextLayer } from "@deck.gl/layers";
import { EXTENT } from "./density";
import { sequenceLayers } from "./sequences";
import { PointSpritesLayer } from "./pointsLayer";
import type { PositionTransitions } from "./glide";
import { CHAR_W, LABEL_MAX_W, type Placement } from "./labels";
import { BACKGROUND, fadeInto } from "./palette";
import { type RGBA, type SpriteMapping, type SpriteSheet, spriteLayers } from "./spriteLayers";

interface LayerInput {
  n: number;
  dims: 2 | 3;
  positions: Float32Array; // x, y, z triples
  colors: Uint8Array; // RGBA per point
  selection: number[];
  focus: number | null;
  hovered?: number | null;
  labels: Placement[]; // labels.ts: each label's point and offset
  framed?: boolean; // the points are coloured by a column: thumbnails get a frame of their colour
  labelText: (i: number) => string;
  labelVersion: number;
  sprite: SpriteSheet | null;
  spriteMapping: SpriteMapping;
  theme: "light" | "dark";
  transitions?: PositionTransitions; // the points glide from their previous positions (glide.ts)
  gliding?: boolean; // they are on their way: no rings yet
  moving?: boolean; // the camera moves: a software renderer draws a sample of the points (movingStride)
  density?: { shade: HTMLCanvasElement; lines: HTMLCanvasElement } | null; // density.ts: under and over the points
  sequences?: Int32Array; // sequences.ts: [from, to] pairs of rows joined by a line
}

const INK = { light: [29, 35, 48, 255], dark: [230, 233, 239, 255] } as const;
const HALO = { light: [255, 255, 255, 230], dark: [23, 27, 35, 230] } as const;
const FOCUS: RGBA = [220, 38, 38, 255];

export const pointRadius = (n: number) => (n > 200_000 ? 1.5 : n > 20_000 ? 2.2 : 3.2);
/** The thumbnails' size in CSS pixels when sprites are shown. */
export const spriteSize = (n: number) => Math.max(16, Math.min(40, pointRadius(n) * 7));
/** From this many points on, the points are GL_POINTS sprites, not instanced quads: on a real GPU from 50,000, on a
 * software renderer from 2,000 (it draws instanced quads instance by instance, ~10x slower than points: a 30,000-point
 * map panned at about a frame a second as quads, some 30 us a quad, so below 2,000 the discs cost under ~60 ms). */
const SPRITES_FROM = 50_000;
const SOFTWARE_SPRITES_FROM = 2_000;

let software: boolean | undefined;
/** Whether WebGL runs on a software rasteriser (SwiftShader, llvmpipe), read once from a throwaway context. */
export function softwareRenderer(): boolean {
  if (software === undefined) software = detectSoftware();
  return software;
}

function detectSoftware(): boolean {
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return false;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(name);
  } catch {
    return false; // no DOM (unit tests) or no WebGL: the choice by size stands
  }
}

/** Whether `n` points are drawn as GL_POINTS sprites here. */
export const asSprites = (n: number) => n >= (softwareRenderer() ? SOFTWARE_SPRITES_FROM : SPRITES_FROM);

/** While the camera moves, a software renderer draws at most about this many points (an even, fixed sample; every
 * point again once the view is still). Its cost is per vertex: measured in benchmarks/bench_browser.py, a pan step
 * took 83 ms at 2,000 points, 150 ms at 30,000 and 217-233 ms at 100,000, about as long with smaller points, with
 * blending off, or with most points moved out of view in the vertex shader; drawing fewer vertices is what helps. */
const MOVING_POINTS = 10_000;

/** One row in how many is drawn while the camera moves (1: all): a prime, so that rows ordered in blocks or cycles
 * (by class, by source) are not sampled in step with them. */
export function movingStride(n: number): number {
  if (!asSprites(n) || !softwareRenderer()) return 1;
  let k = Math.max(1, Math.ceil(n / MOVING_POINTS));
  while (k > 2 && !isPrime(k)) k++;
  return k;
}

function isPrime(k: number): boolean {
  for (let d = 2; d * d <= k; d++) if (k % d === 0) return false;
  return k >= 2;
}
const dimmedOf = new WeakMap<Uint8Array, Partial<Record<"light" | "dark", Uint8Array>>>();

/** The colours faded into the background, as TensorBoard greys out what is not selected: pale rather than
 * transparent, so that thousands of faded points piled up stay faded (the selection's points are drawn on top, at full
 * colour). One copy per colour array and theme. */
export function dimmed(colors: Uint8Array, theme: "light" | "dark"): Uint8Array {
  let copies = dimmedOf.get(colors);
  if (!copies) dimmedOf.set(colors, (copies = {}));
  let out = copies[theme];
  if (!out) {
    out = new Uint8Array(colors.length);
    for (let k = 0; k < out.length / 4; k++) fadeInto(colors, out, k, BACKGROUND[theme]);
    copies[theme] = out;
  }
  return out;
}

export function buildLayers(input: LayerInput): unknown[] {
  const { n, positions, colors, selection, theme } = input;
  const radius = pointRadius(n);
  const fill = selection.length > 0 ? dimmed(colors, theme) : colors; // dim what is not selected
  const at = (i: number): [number, number, number] => [positions[i * 3], positions[i * 3 + 1], positions[i * 3 + 2]];
  const colorOf = (i: number): RGBA => [colors[i * 4], colors[i * 4 + 1], colors[i * 4 + 2], 255];
  const ink = [...INK[theme]] as RGBA;
  const transitions = input.transitions;
  const rings = input.gliding ? [] : selection; // drawn where the points arrive, once they are there
  const data = {
    length: n,
    attributes: {
      getPosition: { value: positions, size: 3 },
      getFillColor: { value: fill, size: 4, normalized: true },
    },
  };
  const parameters = { depthTest: input.dims === 3 } as never;
  const layers: unknown[] = [];
  const densityLayer = (id: string, image: HTMLCanvasElement) =>
    new BitmapLayer({ id, image, bounds: [-EXTENT, -EXTENT, EXTENT, EXTENT], parameters: { depthTest: false } as never });
  if (input.density) layers.push(densityLayer("density", input.density.shade));
  if (input.sequences?.length) {
    const ink = [...INK[theme]] as RGBA;
    const line: RGBA = theme === "dark" ? [148, 163, 184, 200] : [100, 116, 139, 200];
    layers.push(...sequenceLayers(input.sequences, positions, selection, { line, faded: [line[0], line[1], line[2], 70], ink }));
  }
  layers.push(
    asSprites(n)
      ? new PointSpritesLayer({
          id: "points",
          data,
          radiusPixels: radius,
          keepEvery: input.moving ? movingStride(n) : 1,
          transitions,
          parameters,
        })
      : new ScatterplotLayer({
          id: "points",
          data,
          radiusUnits: "pixels",
          getRadius: radius,
          billboard: true, // discs face the camera in 3-D
          transitions,
          parameters,
        }),
  );
  if (input.density) layers.push(densityLayer("density-lines", input.density.lines));
  const size = spriteSize(n);
  if (input.sprite) layers.push(...spriteLayers({ ...input, sprite: input.sprite, fill }, size, rings, at, colorOf));
  layers.push(
    new ScatterplotLayer<number>({
      id: "selection",
      data: input.sprite ? [] : rings, // over thumbnails, a frame (frameLayer) instead of a disc that hides them
      getPosition: at,
      getFillColor: colorOf,
      getLineColor: ink,
      radiusUnits: "pixels",
      lineWidthUnits: "pixels",
      getRadius: radius + 1.8,
      getLineWidth: 1,
      stroked: true,
      billboard: true,
      updateTriggers: { getPosition: [positions], getFillColor: [colors], getLineColor: [theme] },
      parameters: { depthTest: false } as never,
    }),
    new ScatterplotLayer<number>({
      id: "focus",
      data: input.focus === null || input.gliding ? [] : [input.focus],
      getPosition: at,
      getFillColor: [255, 255, 255, 0],
      getLineColor: FOCUS,
      radiusUnits: "pixels",
      lineWidthUnits: "pixels",
      getRadius: input.sprite ? size * 0.72 + 3 : radius + 7, // around the thumbnail's corners
      getLineWidth: 2.5,
      stroked: true,
      filled: false,
      billboard: true,
      updateTriggers: { getPosition: [positions] },
      parameters: { depthTest: false } as never,
    }),
    new ScatterplotLayer<number>({
      id: "hover",
      data: input.hovered === null || input.hovered === undefined || input.gliding ? [] : [input.hovered],
      getPosition: at,
      getFillColor: ink,
      radiusUnits: "pixels",
      getRadius: radius + 0.5,
      billboard: true,
      updateTriggers: { getPosition: [positions], getFillColor: [theme] },
      parameters: { depthTest: false } as never,
    }),
    labelLayer(input, at),
  );
  return layers;
}

function labelLayer(input: LayerInput, at: (i: number) => [number, number, number]) {
  const text = input.labelText;
  const maxChars = Math.floor((LABEL_MAX_W - 4) / CHAR_W);
  const clip = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s);
  const ink = [...INK[input.theme]] as RGBA;
  return new TextLayer<Placement>({
    id: "labels",
    data: input.labels,
    getPosition: (p) => at(p.i),
    getText: (p) => clip(text(p.i)),
    getSize: 11,
    sizeUnits: "pixels",
    getColor: (p) => (p.i === input.focus ? FOCUS : ink),
    getTextAnchor: "start",
    getAlignmentBaseline: "center",
    getPixelOffset: (p) => [p.dx, p.dy], // where labels.ts placed it (y down)
    fontFamily: "Inter, 'Segoe UI', system-ui, sans-serif",
    fontWeight: 500,
    characterSet: "auto",
    // A signed-distance atlas at 32 px (3x the labels' size) with room around each glyph (buffer = radius), sampled
    // without mipmaps: mipmapped SDF glyphs lost their thin stems at 11 px ("pink" drawn "p nk", "red" drawn "rec").
    // The halo (outlineWidth, atlas px) is about one screen pixel.
    outlineWidth: 4,
    outlineColor: [...HALO[input.theme]] as RGBA,
    fontSettings: { sdf: true, fontSize: 32, buffer: 8, radius: 8, cutoff: 0.25, smoothing: 0.2 },
    _subLayerProps: { characters: { textureParameters: { mipmapFilter: "none" } } },
    billboard: true,
    updateTriggers: {
      getPosition: [input.positions],
      getText: [input.labelVersion],
      getColor: [input.focus, input.theme],
    },
    parameters: { depthTest: false } as never,
  });
}

/** A PNG data URL of a canvas on a background colour, with the axis labels (2-D custom axes) drawn on it. */
export function canvasToPNG(
  canvas: HTMLCanvasElement,
  background: string,
  axes: { x: string; y: string } | null,
  ink: string,
): string {
  const out = document.createElement("canvas");
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext("2d") as CanvasRenderingContext2D;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  if (axes) {
    const scale = canvas.width / (canvas.clientWidth || canvas.width);
    ctx.fillStyle = ink;
    ctx.font = `${Math.round(13 * scale)}px Inter, system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.fillText(axes.x, out.width / 2, out.height - 14 * scale);
    ctx.save();
    ctx.translate(20 * scale, out.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(axes.y, 0, 0);
    ctx.restore();
  }
  return out.toDataURL("image/png");
}
