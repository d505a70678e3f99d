// Sequences, as TensorBoard's projector draws them (sequenceLinks.ts reads the `__seq_next__` column): each point is
// joined to its next by a line, so a sentence or a trajectory is seen as a path. The lines follow the points (their positions are read from the same
// array) and the selection (a link between two selected points is drawn over the others, in the ink colour).
import { LineLayer } from "@deck.gl/layers";
import { linkEnds } from "./sequenceLinks";

type RGBA = [number, number, number, number];

/** The sequence layers: every link (faded while something is selected), then the selected ones over them. */
export function sequenceLayers(
  links: Int32Array,
  positions: Float32Array,
  selection: number[],
  colors: { line: RGBA; faded: RGBA; ink: RGBA },
): unknown[] {
  if (links.length === 0) return [];
  const layer = (id: string, ends: ReturnType<typeof linkEnds>, color: RGBA, width: number) =>
    new LineLayer({
      id,
      data: {
        length: ends.length,
        attributes: {
          getSourcePosition: { value: ends.source, size: 3 },
          getTargetPosition: { value: ends.target, size: 3 },
        },
      },
      getColor: color,
      getWidth: width,
      widthUnits: "pixels",
      parameters: { depthTest: false } as never,
    });
  const all = linkEnds(links, positions);
  if (selection.length === 0) return [layer("sequences", all, colors.line, 1.5)];
  const chosen = new Set(selection);
  const picked = linkEnds(links, positions, (a, b) => chosen.has(a) && chosen.has(b));
  return [layer("sequences", all, colors.faded, 1), layer("sequences-selected", picked, colors.ink, 2)];
}
