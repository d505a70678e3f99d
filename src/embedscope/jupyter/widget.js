// The Jupyter view of embedscope.show(): the projector page in an <iframe>, its selection bridged to the model.
//
// The model holds `src` (the page's URL: absolute, or relative to Jupyter's base URL when the page is reached
// through jupyter-server-proxy), `url` (the page on 127.0.0.1, named in the help text), `height` (px) and
// `selection` (row indices). The page (frontend/src/embed.ts) posts {type: "embedscope:ready"} when it starts and
// {type: "embedscope:selection", indices} when its selection changes; this view posts it
// {type: "embedscope:set-selection", indices} when the model's selection changes. Messages are taken only from
// this view's own frame and sent only to the page's origin.

const NO_ANSWER_MS = 15000;

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

export function render({ model, el }) {
  const src = frameUrl(model.get("src"));
  const origin = new URL(src).origin;
  const frame = document.createElement("iframe");
  frame.className = "embedscope-frame";
  frame.title = "embedscope projector";
  frame.src = src;
  frame.style.cssText = "width: 100%; border: 1px solid #ccc; border-radius: 4px; display: block;";
  frame.style.height = `${model.get("height")}px`;
  const note = document.createElement("div");
  note.className = "embedscope-note";
  note.style.cssText = "display: none; font: 13px sans-serif; color: #a33; padding: 4px 0;";
  el.append(frame, note);

  let ready = false;
  let fromPage = false; // the model is being set from the page: do not echo it back

  const send = () => {
    if (!ready || !frame.contentWindow) return;
    const indices = model.get("selection") || [];
    frame.contentWindow.postMessage({ type: "embedscope:set-selection", indices }, origin);
  };

  const onMessage = (event) => {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    const data = event.data || {};
    if (data.type === "embedscope:ready") {
      ready = true;
      note.style.display = "none";
      send();
    } else if (data.type === "embedscope:selection" && Array.isArray(data.indices)) {
      if (same(data.indices, model.get("selection"))) return;
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

  const timer = setTimeout(() => {
    if (ready) return;
    note.textContent =
      `The projector at ${src} did not answer. The browser must reach it: when Jupyter runs on another ` +
      "machine, use embedscope.show(..., proxy=True) with jupyter-server-proxy (see docs/jupyter.md).";
    note.style.display = "block";
  }, NO_ANSWER_MS);

  window.addEventListener("message", onMessage);
  model.on("change:selection", onSelection);
  model.on("change:height", onHeight);
  return () => {
    clearTimeout(timer);
    window.removeEventListener("message", onMessage);
    model.off("change:selection", onSelection);
    model.off("change:height", onHeight);
  };
}

export default { render };
