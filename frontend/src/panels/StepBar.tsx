// The training steps' slider above the plot (an embedding logged at several steps): the step shown, play / pause to
// step through them. Each step is projected with the current method in the latest step's frame, so points glide.
import { useEffect } from "preact/hooks";
import { STEP_POLL_MS, pause, play, refreshSteps, setStep, shownStep, stepsOf } from "../state/stepActions";
import type { State } from "../state/store";

const fmt = (n: number) => n.toLocaleString("en-US");

export function StepBar({ state }: { state: State }) {
  const logged = state.embedding?.steps;
  useEffect(() => {
    if (logged === null || logged === undefined) return;
    const timer = window.setInterval(() => void refreshSteps(), STEP_POLL_MS); // training may log more
    return () => window.clearInterval(timer);
  }, [logged === null || logged === undefined, state.embedding?.run, state.embedding?.id]);
  const steps = stepsOf(state.embedding);
  const shown = shownStep(state);
  if (steps.length === 0 || shown === null) return null;
  const at = steps.indexOf(shown);
  const latest = at === steps.length - 1;
  const projected = state.job?.step;
  const pending = projected !== undefined && projected !== null && projected !== shown;
  return (
    <div class="overlay bottom-centre step-bar" role="group" aria-label="Training step">
      <button
        type="button"
        id="step-play"
        class="step-play"
        aria-pressed={state.playing}
        aria-label={state.playing ? "Pause" : "Play through the steps"}
        title={state.playing ? "Pause" : "Play through the steps ([ and ] step back and forward)"}
        onClick={() => (state.playing ? pause() : void play())}
      >
        {state.playing ? "❚❚" : "▶"}
      </button>
      <label class="step-label" for="step-slider">
        Step
      </label>
      <input
        id="step-slider"
        type="range"
        min={0}
        max={steps.length - 1}
        step={1}
        value={at}
        aria-valuetext={`step ${shown}, ${at + 1} of ${steps.length}${latest ? ", the latest" : ""}`}
        onInput={(e) => {
          if (state.playing) pause();
          void setStep(steps[Number((e.currentTarget as HTMLInputElement).value)]);
        }}
      />
      <output id="step-value" class="step-value" for="step-slider" aria-live="off">
        {fmt(shown)}
      </output>
      <span class="meta" title={pending ? "projecting this step…" : undefined}>
        {at + 1}/{steps.length}
        {latest ? " · latest" : ""}
        {pending ? " …" : ""}
      </span>
    </div>
  );
}
