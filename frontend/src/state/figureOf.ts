// The figure of the view on screen (render/figure.ts): its points as drawn, its labels (the clusters', else the
// points' shown), the colour legend, the title and the axis labels, at a chosen size.
import { chooseClusterLabels, coarse } from "../render/clusterLabels";
import { type Figure, type FigureLabel, TITLE_H } from "../render/figure";
import { legendOf } from "../render/palette";
import type { ScatterView } from "../render/scatter";
import { clusterMarks, clustersShown } from "./clusterActions";
import { type State, labelOf } from "./store";

export interface FigureChoice {
  title: string;
  width: number; // CSS pixels of the plot part (the title adds TITLE_H above it)
  height: number;
  legend: boolean;
}

function clusterLabels(state: State, view: ScatterView, w: number, h: number): FigureLabel[] {
  const clusters = clustersShown(state);
  if (!clusters) return [];
  const { placed } = chooseClusterLabels(clusterMarks(clusters, (row) => view.screenPosition(row)), clusters.levels, w, h);
  return placed.map((p) => {
    const size = coarse(p.level, clusters.levels) ? 15 : 13;
    return { x: p.x, y: p.y, text: p.text, size, bold: true, anchor: "middle" as const, halo: true };
  });
}

/** The figure of what `view` shows now. */
export function figureOf(state: State, view: ScatterView, choice: FigureChoice, style: CSSStyleDeclaration): Figure {
  const canvas = view.canvas;
  const w = canvas?.clientWidth || choice.width;
  const h = canvas?.clientHeight || choice.height;
  const sx = choice.width / w;
  const sy = choice.height / h;
  const top = choice.title ? TITLE_H : 0;
  const { points, radius } = view.shownPoints();
  let labels = clusterLabels(state, view, w, h);
  if (labels.length === 0) {
    labels = view.labelBoxes.map((p) => ({
      x: p.box[0] + 2,
      y: (p.box[1] + p.box[3]) / 2,
      text: labelOf(state, p.i),
      size: 11,
      bold: false,
      anchor: "start" as const,
      halo: true,
    }));
  }
  const info = state.embedding?.columns.find((c) => c.name === state.colorBy);
  const entries = state.colorMode === "category" ? legendOf(info, state.theme) : [];
  const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    width: choice.width,
    height: choice.height + top,
    background: color("--panel", "#ffffff"),
    ink: color("--text", "#1d2330"),
    muted: color("--muted", "#667085"),
    title: choice.title,
    radius,
    points: points.map((p) => ({ ...p, x: p.x * sx, y: p.y * sy + top })),
    labels: labels.map((l) => ({ ...l, x: l.x * sx, y: l.y * sy + top })),
    legend:
      choice.legend && state.colorBy && entries.length
        ? { title: state.colorBy, entries: entries.map((e) => ({ label: e.label, color: e.color })) }
        : null,
    axes: state.coords?.dims === 2 ? state.axisLabels : null,
  };
}
