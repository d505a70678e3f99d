"""A live embedscope server in a process of its own, for measuring what one request costs it (#13).

    python state_export_server.py FOLDER ROWS TEXT_BYTES

serves one ROWS x 64 embedding whose metadata has a label, a number and a TEXT_BYTES-character text column, with its
state and cache in FOLDER, and prints the server's URL on one line once it listens.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

from embedscope.embedding import Collection, Embedding
from embedscope.server.launch import make_server
from embedscope.server.state import ServerSettings


def embedding(rows: int, text_bytes: int) -> Embedding:
    """ROWS x 64 float32 vectors; metadata: label (w0, w1, ...), score (float), note (TEXT_BYTES characters)."""
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((rows, 64), dtype=np.float32)
    alphabet = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz ,\"'", dtype=np.uint8)
    letters = alphabet[rng.integers(0, len(alphabet), size=rows * text_bytes)].tobytes().decode("ascii")
    notes = [letters[i * text_bytes : (i + 1) * text_bytes] for i in range(rows)]
    meta = pa.table({"label": [f"w{i}" for i in range(rows)], "score": rng.random(rows), "note": notes})
    return Embedding(vectors, name="big", metadata=meta)


def main() -> None:
    folder, rows, text_bytes = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    data = Collection(source="export-test")
    data.add(".", embedding(rows, text_bytes))
    settings = ServerSettings(host="127.0.0.1", port=0, state_dir=folder / "state", cache_dir=folder / "cache")
    server, sock, url = make_server(data, settings)
    print(url.split("?")[0].rstrip("/"), flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
