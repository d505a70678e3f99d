"""TensorBoard's projector as the peer of bench_browser.py: the same vectors and metadata in a log dir, served by
TensorBoard 2.21 from its own virtual environment (benchmarks/data/tensorboard-venv, made with pip on first use;
TensorFlow is not needed for a projector_config.pbtxt with a TSV tensor_path), opened in the same Chromium.

Measured: spawn -> URL printed; -> the projector plugin active (it parses the TSV while it decides); navigation ->
the first screenshot whose scatter area shows the points after PCA ("Total variance described" shown). The plugin
draws with three.js in an iframe, so drawing is seen on screenshots (polled every 0.25 s; its main thread is busy
while it loads the tensor and computes PCA, so the polls wait).
"""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

VENV = Path(__file__).parent / "data" / "tensorboard-venv"
VERSION = "2.21.0"
CONFIG = 'embeddings {\n  tensor_name: "points"\n  tensor_path: "tensors.tsv"\n  metadata_path: "metadata.tsv"\n}\n'


def tensorboard_bin() -> Path | None:
    """TensorBoard's executable in its own venv, installed with pip when missing; None when that fails."""
    binary = VENV / "bin" / "tensorboard"
    if not binary.exists():
        print(f"   installing tensorboard=={VERSION} into {VENV} ...", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True)
            pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", f"tensorboard=={VERSION}"]
            subprocess.run(pip, check=True, capture_output=True, timeout=600)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"   could not install TensorBoard ({exc}); only its recorded figure is compared")
            return None
    return binary


def make_logdir(npy: Path, logdir: Path) -> None:
    """A projector log dir: tensors.tsv (the .npy's vectors), metadata.tsv, projector_config.pbtxt, an event file."""
    logdir.mkdir(parents=True, exist_ok=True)
    x = np.load(npy, mmap_mode="r")
    table = pa.table({f"c{j}": np.ascontiguousarray(x[:, j]) for j in range(x.shape[1])})
    options = pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    pacsv.write_csv(table, logdir / "tensors.tsv", options)
    (logdir / "metadata.tsv").write_bytes(npy.with_name(f"{npy.stem}_metadata.tsv").read_bytes())
    (logdir / "projector_config.pbtxt").write_text(CONFIG, encoding="utf-8")
    # a run needs an event file; TensorBoard's own writer makes an empty one
    code = "import sys; from tensorboard.summary.writer import event_file_writer as w; "
    code += "w.EventFileWriter(sys.argv[1]).close()"
    subprocess.run([str(VENV / "bin" / "python"), "-c", code, str(logdir)], check=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ink(png: bytes) -> int:
    """Pixels of the projector's point colour family (blue-violet, well away from white, grey and the axes)."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((b - r > 60) & (b - g > 60) & (b > 150)).sum())


def _variance_shown(page: Any) -> bool:
    """Whether the PCA panel (in the plugin's iframe) says how much variance the projection describes."""
    for frame in page.frames:
        found = frame.get_by_text("Total variance described")
        if found.count() > 0 and "%" in found.first.inner_text():
            return True
    return False


def measure(
    browser: Any, npy: Path, folder: Path, *, shots: Path | None = None, timeout: float = 240
) -> dict[str, float] | None:
    """TensorBoard on npy's data: start, active and page-load seconds; None when TensorBoard is not available."""
    binary = tensorboard_bin()
    if binary is None:
        return None
    logdir = folder / "tb-logdir"
    make_logdir(npy, logdir)
    port = _free_port()
    args = [str(binary), "--logdir", str(logdir), "--port", str(port), "--host", "127.0.0.1"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "http://" in line:
                break
        start = time.perf_counter() - t0
        while time.perf_counter() - t0 < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/data/plugins_listing", timeout=30) as r:
                    if json.loads(r.read()).get("projector", {}).get("enabled"):
                        break
            except OSError:
                pass
            time.sleep(0.25)
        active = time.perf_counter() - t0
        context = browser.new_context(viewport={"width": 1400, "height": 860})
        try:
            page = context.new_page()
            t1 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/#projector", wait_until="commit")
            shown = None
            while time.perf_counter() - t1 < timeout:
                if shown is None and _variance_shown(page):
                    shown = time.perf_counter() - t1
                if shown is not None:
                    png = page.screenshot(clip={"x": 320, "y": 130, "width": 770, "height": 720})
                    drawn = time.perf_counter() - t1  # when the screenshot showing the points came back
                    if _ink(png) > 5_000:
                        if shots:
                            page.screenshot(path=str(shots / f"tensorboard-{npy.stem}.png"))
                        return {"start_s": start, "active_s": active, "variance_s": shown, "draw_s": drawn}
                time.sleep(0.25)
            raise RuntimeError("TensorBoard's projector drew no PCA within the time limit")
        finally:
            context.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
