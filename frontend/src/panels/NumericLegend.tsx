// The legend of a numeric "colour by": the viridis bar with its ends and middle, and the scale, linear or log (log by
// default for a column of positive values spanning more than two orders of magnitude, such as word frequencies).
import { type NumericScale, VIRIDIS_CSS, scaleOf, scaleTicks } from "../render/palette";
import { setColorScale } from "../state/scatterActions";

const fmtNumber = (v: number) =>
  Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(4));

export function NumericLegend(props: { column: string; range: [number, number]; chosen: NumericScale | null }) {
  const { column, range } = props;
  const scale = scaleOf(range, props.chosen);
  const ticks = scaleTicks(range, scale);
  const canLog = range[0] > 0;
  return (
    <div class="scale-legend" id="numeric-legend" data-scale={scale} aria-label={`Colour scale of ${column}`}>
      <div class="scale-head">
        <span class="scale-name" id="numeric-scale">
          {scale === "log" ? "log scale" : "linear scale"}
        </span>
        <div class="segmented compact" role="group" aria-label="Colour scale">
          <button
            type="button"
            id="scale-linear"
            aria-pressed={scale === "linear"}
            onClick={() => setColorScale("linear")}
          >
            Linear
          </button>
          <button
            type="button"
            id="scale-log"
            aria-pressed={scale === "log"}
            disabled={!canLog}
            title={canLog ? "Colour by the logarithm of the values" : "A log scale needs every value above 0"}
            onClick={() => setColorScale("log")}
          >
            Log
          </button>
        </div>
      </div>
      <div class="scale-bar" style={{ background: VIRIDIS_CSS }} />
      <div class="scale-ticks">
        {ticks.map((t, i) => (
          <span key={i}>{fmtNumber(t)}</span>
        ))}
      </div>
    </div>
  );
}
