// The thumbnails of an embedding with a sprite sheet: every point's thumbnail (faded while others are selected), framed
// in its point's colour when the points are coloured by a column; the selected ones on top, at full strength, in a
// thicker frame. The image inside a frame stays visible (a disc of the point's colour would hide it).
import { IconLayer } from "@deck.gl/layers";

export type RGBA = [number, number, number, number];

/** A sprite sheet: its image URL, the size of one thumbnail and the grid's columns. */
export interface SpriteSheet {
  url: string;
  width: number;
  height: number;
  columns: number;
}

export type SpriteMapping = Record<string, { x: number; y: number; width: number; height: number }>;

interface SpriteInput {
  n: number;
  dims: 2 | 3;
  positions: Float32Array;
  fill: Uint8Array; // the points' colours as drawn (faded while something is selected)
  colors: Uint8Array; // their full colours
  selection: number[];
  sprite: SpriteSheet;
  spriteMapping: SpriteMapping;
  framed?: boolean;
  transitions?: unknown;
}

/** The icon mapping of a sprite sheet for n points (row-major thumbnails). */
export function spriteMappingOf(sprite: SpriteSheet, n: number): SpriteMapping {
  const mapping: SpriteMapping = {};
  for (let i = 0; i < n; i++) {
    const col = i % sprite.columns;
    const row = Math.floor(i / sprite.columns);
    mapping[i] = { x: col * sprite.width, y: row * sprite.height, width: sprite.width, height: sprite.height };
  }
  return mapping;
}

const FADED = 110; // unselected thumbnails while there is a selection: faded, still recognisable
const FRAME = 2; // px: the frame around every thumbnail (coloured points)
const SELECTED_FRAME = 3; // px: the frame around a selected thumbnail
const frames = new Map<string, HTMLCanvasElement>();

/** A square frame `side` px wide whose border is `width` px, white on transparent (tinted as a mask icon). */
function frameImage(side: number, width: number): HTMLCanvasElement {
  const key = `${side}/${width}`;
  let canvas = frames.get(key);
  if (!canvas) {
    canvas = document.createElement("canvas");
    canvas.width = canvas.height = side;
    const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, side, side);
    ctx.clearRect(width, width, side - 2 * width, side - 2 * width);
    frames.set(key, canvas);
  }
  return canvas;
}

function frameProps(size: number, width: number) {
  const side = Math.round(size) + 2 * width;
  return {
    iconAtlas: frameImage(side, width) as never,
    iconMapping: { frame: { x: 0, y: 0, width: side, height: side, mask: true } },
    getIcon: () => "frame",
    getSize: side,
    sizeUnits: "pixels",
    billboard: true,
    textureParameters: { minFilter: "nearest", magFilter: "nearest" },
  } as const;
}

/** The thumbnails' layers, bottom to top. */
export function spriteLayers(
  input: SpriteInput,
  size: number,
  rings: number[],
  at: (i: number) => [number, number, number],
  colorOf: (i: number) => RGBA,
): unknown[] {
  const common = {
    iconAtlas: input.sprite.url,
    iconMapping: input.spriteMapping,
    getSize: size,
    sizeUnits: "pixels",
    billboard: true,
    textureParameters: { minFilter: "nearest", magFilter: "nearest" },
  };
  const depth = { depthTest: input.dims === 3 } as never;
  const layers: unknown[] = [
    new IconLayer({
      ...common,
      id: "sprites",
      data: { length: input.n, attributes: { getPosition: { value: input.positions, size: 3 } } },
      getIcon: (_: unknown, { index }: { index: number }) => String(index), // not pickable: picking is on the CPU
      getColor: [0, 0, 0, input.selection.length > 0 ? FADED : 255],
      transitions: input.transitions,
      parameters: depth,
    } as never),
  ];
  if (input.framed) {
    layers.push(
      new IconLayer({
        ...frameProps(size, FRAME),
        id: "sprite-frames-all",
        data: {
          length: input.n,
          attributes: {
            getPosition: { value: input.positions, size: 3 },
            getColor: { value: input.fill, size: 4, normalized: true },
          },
        },
        transitions: input.transitions,
        parameters: depth,
      } as never),
    );
  }
  layers.push(
    new IconLayer<number>({
      ...common,
      id: "sprites-selected",
      data: rings,
      getPosition: at,
      getIcon: (i: number) => String(i),
      getColor: [0, 0, 0, 255],
      updateTriggers: { getPosition: [input.positions] },
      parameters: { depthTest: false },
    } as never),
    new IconLayer<number>({
      ...frameProps(size, SELECTED_FRAME),
      id: "sprite-frames",
      data: rings,
      getPosition: at,
      getColor: colorOf,
      updateTriggers: { getPosition: [input.positions], getColor: [input.colors] },
      parameters: { depthTest: false } as never,
    } as never),
  );
  return layers;
}
