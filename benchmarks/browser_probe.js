// Measurement hooks for bench_browser.py, installed with Playwright's add_init_script before any page script runs.
// The app is not changed: this wraps window.requestAnimationFrame and addEventListener to time their callbacks,
// and watches the exported canvas for the first drawn points.
//
// window.__bench:
//   frames: [{t, raf, events, redraws}] one per animation frame that ran app callbacks: t = the frame's timestamp
//           (ms since navigation start), raf = ms in the app's rAF callbacks (deck.gl draws there), events = ms in
//           input event listeners since the previous frame, redraws = deck.gl's redraw count after the frame
//   coordsAt: ms since navigation start when the store first held coordinates, or a tiled map's pyramid
//   inkAt:    ms since navigation start of the first frame whose canvas shows drawn points
//   ink:      the ink pixel count of the 1/4-scale canvas copy at inkAt
//   events:   event type -> ms of each timed input listener call
(() => {
  const bench = { frames: [], coordsAt: null, inkAt: null, ink: 0, pendingEvents: 0, events: {}, longTasks: [] };
  window.__bench = bench;
  bench.raf = (cb) => raf(cb); // the unwrapped requestAnimationFrame, for the benchmark's own waits
  const raf = window.requestAnimationFrame.bind(window);
  let frame = null;
  // the map's view: the whole-map one, or the tiled one of a map too large to send whole
  const view = () => window.embedscope?.tileView ?? window.embedscope?.view;
  const redraws = () => view()?.deck?.stats?.get("Redraw Count").count ?? 0;
  window.requestAnimationFrame = (callback) =>
    raf((ts) => {
      if (frame === null || frame.t !== ts) {
        frame = { t: ts, raf: 0, events: bench.pendingEvents, redraws: 0 };
        bench.pendingEvents = 0;
        bench.frames.push(frame);
      }
      const start = performance.now();
      try {
        callback(ts);
      } finally {
        frame.raf += performance.now() - start;
        frame.redraws = redraws();
      }
    });

  const TIMED = new Set(["pointermove", "pointerdown", "pointerup", "wheel", "mousemove", "mousedown", "mouseup"]);
  const wrapped = new WeakMap();
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (!TIMED.has(type) || listener === null || typeof listener !== "function" && typeof listener !== "object") {
      return add.call(this, type, listener, options);
    }
    let timed = wrapped.get(listener);
    if (!timed) {
      // a function, or an object with handleEvent (as mjolnir.js registers)
      timed = function (event) {
        const start = performance.now();
        try {
          return typeof listener === "function" ? listener.call(this, event) : listener.handleEvent(event);
        } finally {
          const ms = performance.now() - start;
          bench.pendingEvents += ms;
          (bench.events[event.type] ??= []).push(ms);
        }
      };
      wrapped.set(listener, timed);
    }
    return add.call(this, type, timed, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, (listener && wrapped.get(listener)) || listener, options);
  };

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push([Math.round(e.startTime), Math.round(e.duration)]);
  }).observe({ type: "longtask", buffered: true });

  // first drawn points: once the store holds coordinates, copy the canvas at 1/4 scale each frame and count ink
  let subscribed = false;
  const watch = () => {
    const app = window.embedscope;
    if (app && !subscribed) {
      subscribed = true;
      const seen = () => {
        const s = app.store.get();
        if (bench.coordsAt === null && (s.coords !== null || s.tiles !== null)) bench.coordsAt = performance.now();
      };
      seen();
      app.store.subscribe(seen);
    }
    if (bench.coordsAt !== null) {
      setTimeout(() => {
        const at = performance.now();
        const canvas = view()?.canvas;
        if (!canvas || canvas.width === 0) return;
        const copy = document.createElement("canvas");
        copy.width = Math.ceil(canvas.width / 4);
        copy.height = Math.ceil(canvas.height / 4);
        const ctx = copy.getContext("2d");
        ctx.drawImage(canvas, 0, 0, copy.width, copy.height);
        const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
        let ink = 0;
        for (let o = 0; o < data.length; o += 4) {
          if (data[o + 3] > 40 && data[o] + data[o + 1] + data[o + 2] < 3 * 235) ink += 1;
        }
        if (ink > 50 && bench.inkAt === null) {
          bench.inkAt = at;
          bench.ink = ink;
        }
      }, 0);
    }
    if (bench.inkAt === null) raf(watch);
  };
  raf(watch);
})();
