// The Jupyter view of embedscope.show(): the projector page in an <iframe>, its selection bridged to the model.
//
// The model holds `src` (the page's URL: absolute, or relative to Jupyter's base URL when the page is reached
// through jupyter-server-proxy), `url` (the page on 127.0.0.1, named in the help text), `height` (px) and
// `selection` (row indices). The page (frontend/src/embed.ts) posts {type: "embedscope:ready"} when it starts and
// {type: "embedscope:selection", indices} when its selection changes; this view posts it
// {type: "embedscope:set-selection", indices} when the model's selection changes. Messages are taken only from
// this view's own frame and sent only to the page's origin.
//
// The page's server runs in the kernel: when the kernel restarts or stops, the server is gone for good. The view
// then covers the frame with a note to run the cell again. It knows so when the model's comm goes dead (Jupyter
// does that on a kernel restart), or when the server stops answering: once the page has answered, the view asks
// the server every PROBE_MS (while the notebook is shown), and GONE_AFTER failures in a row mean it has stopped.
//
// anywidget takes the default export ({ render }); `frameUrl` is exported for the tests.

const NO_ANSWER_MS = 15000;
const PROBE_MS = 10000;
const RETRY_MS = 1000; // after a failed probe, or while the kernel may be going
const HURRY_MS = 30000; // how long to probe every RETRY_MS after a sign that the kernel is going
const GONE_AFTER = 3;
const PROXY_FAILURES = [401, 403, 404, 500, 502, 503, 504, 599]; // a token refused, or a proxy that cannot connect

export const GONE =
  "This view's server has stopped: the kernel restarted or shut down, or the widget was closed. " +
  "Run the cell again to show the projector.";

/** Jupyter's base URL (JupyterLab and Notebook 7 keep it in #jupyter-config-data; Notebook 6 on <body>). */
function jupyterBase() {
  const config = document.getElementById("jupyter-config-data");
  if (config) {
    try {
      const base = JSON.parse(config.textContent || "{}").baseUrl;
      if (base) return new URL(base, window.location.href).href;
    } catch (_) {
      // not JSON: fall through
    }
  }
  const body = document.body && document.body.dataset.baseUrl;
  return new URL(body || "/", window.location.href).href;
}

export function frameUrl(src) {
  return /^https?:\/\//.test(src) ? src : new URL(src, jupyterBase()).href;
}

function same(a, b) {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Whether the page's server answers. Cross-origin answers are opaque: any answer counts; errors are failures. */
async function answers(src) {
  try {
    const response = await fetch(src, { mode: "no-cors", cache: "no-store", credentials: "include" });
    return response.type === "opaque" || !PROXY_FAILURES.includes(response.status);
  } catch (_) {
    return false;
  }
}

function layout(model) {
  const box = document.createElement("div");
  box.className = "embedscope-view";
  box.style.cssText = "position: relative; width: 100%; max-width: 100%; box-sizing: border-box;";
  const frame = document.createElement("iframe");
  frame.className = "embedscope-frame";
  frame.title = "embedscope projector";
  // border-box: the border is inside the 100%, so the frame is no wider than the output area
  frame.style.cssText =
    "display: block; box-sizing: border-box; width: 100%; border: 1px solid #ccc; border-radius: 4px;";
  frame.style.height = `${model.get("height")}px`;
  const note = document.createElement("div");
  note.className = "embedscope-note";
  note.style.cssText = "display: none; font: 13px sans-serif; color: #a33; padding: 4px 0;";
  const gone = document.createElement("div");
  gone.className = "embedscope-gone";
  gone.setAttribute("role", "alert");
  gone.style.cssText =
    "display: none; position: absolute; inset: 0; box-sizing: border-box; padding: 24px; border-radius: 4px;" +
    "background: rgba(255, 255, 255, 0.9); color: #a33; font: 15px sans-serif; text-align: center;" +
    "align-items: center; justify-content: center;";
  box.append(frame, gone);
  return { box, frame, note, gone };
}

function render({ model, el }) {
  const src = frameUrl(model.get("src"));
  const origin = new URL(src).origin;
  const { box, frame, note, gone } = layout(model);
  frame.src = src;
  el.append(box, note);

  let ready = false;
  let fromPage = false; // the model is being set from the page: do not echo it back
  let stopped = false; // the server is gone for good
  let failures = 0;
  let hurryUntil = 0;
  let probing = false;
  let probeTimer;

  const send = () => {
    if (!ready || stopped || !frame.contentWindow) return;
    const indices = model.get("selection") || [];
    frame.contentWindow.postMessage({ type: "embedscope:set-selection", indices }, origin);
  };

  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(probeTimer);
    note.style.display = "none";
    gone.textContent = GONE;
    gone.style.display = "flex";
  };

  const schedule = (delay) => {
    clearTimeout(probeTimer);
    if (!stopped) probeTimer = setTimeout(probe, delay);
  };

  const probe = async () => {
    if (stopped || probing) return;
    const hurried = Date.now() < hurryUntil;
    if (document.visibilityState !== "visible" && !hurried) return schedule(PROBE_MS);
    probing = true;
    const ok = await answers(src);
    probing = false;
    failures = ok ? 0 : failures + 1;
    if (failures >= GONE_AFTER) return stop();
    schedule(failures > 0 || Date.now() < hurryUntil ? RETRY_MS : PROBE_MS);
  };

  const hurry = () => {
    hurryUntil = Date.now() + HURRY_MS;
    schedule(0);
  };

  const onMessage = (event) => {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    const data = event.data || {};
    if (data.type === "embedscope:ready") {
      if (!ready && Date.now() >= hurryUntil) schedule(PROBE_MS); // (while hurried, a probe is due sooner)
      ready = true;
      note.style.display = "none";
      send();
    } else if (data.type === "embedscope:selection" && Array.isArray(data.indices)) {
      if (stopped || same(data.indices, model.get("selection"))) return;
      fromPage = true;
      try {
        model.set("selection", data.indices);
        model.save_changes();
      } finally {
        fromPage = false;
      }
    }
  };

  const onSelection = () => {
    if (!fromPage) send();
  };
  const onHeight = () => {
    frame.style.height = `${model.get("height")}px`;
  };
  // Jupyter marks the model's comm dead when the kernel restarts. Backbone calls this with the view as `this`:
  // where its model says so, the server is gone; elsewhere, ask the server often for a while.
  const onCommLive = function () {
    const live = this && this.model ? this.model.comm_live : undefined;
    if (live === false) stop();
    else if (live !== true) hurry();
  };
  const onEnter = () => {
    if (ready && failures === 0) schedule(0);
  };

  const timer = setTimeout(() => {
    if (ready || stopped) return;
    note.textContent =
      `The projector at ${src} did not answer. If the kernel restarted since this cell ran, run the cell again. ` +
      "Otherwise the browser must reach it: when Jupyter runs on another machine, use " +
      "embedscope.show(..., proxy=True) with jupyter-server-proxy (see docs/jupyter.md).";
    note.style.display = "block";
  }, NO_ANSWER_MS);

  window.addEventListener("message", onMessage);
  box.addEventListener("pointerenter", onEnter);
  model.on("change:selection", onSelection);
  model.on("change:height", onHeight);
  model.on("comm_live_update", onCommLive);
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(probeTimer);
    window.removeEventListener("message", onMessage);
    box.removeEventListener("pointerenter", onEnter);
    model.off("change:selection", onSelection);
    model.off("change:height", onHeight);
    model.off("comm_live_update", onCommLive);
  };
}

export default { render };
