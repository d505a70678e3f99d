"""The HTTP API's OpenAPI schema as JSON: `python -m embedscope.server.openapi > .cache/openapi.json`.

The page's TypeScript types (frontend/src/api/schema.d.ts, git-ignored) are generated from it at build time by the
Makefile (`make web` and `make setup` do it; `make api-types` alone), so they always match the server. The
app is built as the tests build it, over an empty Collection: the schema depends on the routes, not on the data.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..embedding import Collection
from .app import make_app
from .state import ServerSettings


def schema() -> dict[str, Any]:
    """The app's OpenAPI document (what it serves at /openapi.json)."""
    with tempfile.TemporaryDirectory(prefix="embedscope-openapi-") as tmp:
        settings = ServerSettings(state_dir=Path(tmp) / "state", cache_dir=Path(tmp) / "cache")
        app = make_app(Collection(), settings)
        try:
            return app.openapi()
        finally:
            app.state.embedscope.close()


def main() -> None:
    json.dump(schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
