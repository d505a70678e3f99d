// The PCA components on the X, Y and Z axes: never one component on two axes (the server refuses it: a flat line, its
// variance counted twice). Choosing for an axis a component another axis shows swaps the two.
type Axes = [number, number, number];

/** The axes with component `c` on axis `a`; the axis that showed `c` takes `a`'s old component. */
export function withAxis(axes: readonly number[], a: number, c: number): Axes {
  const out = [...axes] as Axes;
  const other = out.indexOf(c);
  if (other !== -1 && other !== a) out[other] = out[a];
  out[a] = c;
  return out;
}

/** Three different components: a repeated one (an old bookmark, a hand-made link) gives way to the lowest free one. */
export function distinctAxes(axes: readonly number[]): Axes {
  const out: number[] = [];
  for (const c of axes.slice(0, 3)) {
    let pick = c;
    for (let free = 0; out.includes(pick); free++) pick = free;
    out.push(pick);
  }
  for (let free = 0; out.length < 3; free++) if (!out.includes(free)) out.push(free);
  return out as Axes;
}

/** The axis (X, Y or Z) other than `a` that shows component `c` among the first `dims`, if any. */
export function axisShowing(axes: readonly number[], dims: number, a: number, c: number): string | null {
  const other = axes.slice(0, dims).indexOf(c);
  return other === -1 || other === a ? null : "XYZ"[other];
}
