"""The names users give clusters, kept in one JSON file in the server's state folder, and each map's latest clusters.

The file is `{"version": 1, "maps": {"<clusters key>": {"<cluster id>": "name", ...}, ...}}`: a map's clusters are
known by the key compute/clusters.py gives them (the coordinates, the naming column and the settings), so a name
comes back whenever the same clusters are found again, after a restart too. Read and written as state_files.py does
(a crash leaves the old file or the new one; a file that cannot be read is moved aside with a warning, never
overwritten); entries that are not names are left out of what is served.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from contextlib import suppress
from pathlib import Path
from typing import Any

from ..compute.clusters import Clusters
from ..errors import EmbedscopeError, NotFoundError, ParameterError, PayloadTooLargeError
from .state_files import read_document, save_document

FILENAME = "cluster-names.json"
VERSION = 1
MAX_NAME = 200
MAX_MAPS = 10_000  # maps with names kept
MAX_NAMES = 10_000  # names kept for one map
MAX_FILE_BYTES = 64 * 1024 * 1024
LATEST = 32  # maps whose latest clusters the server holds (a page renames the clusters it shows)


def check_name(name: str) -> str:
    """1 to MAX_NAME characters, not only spaces, no control characters."""
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ParameterError(f"a cluster name has 1 to {MAX_NAME} characters, not only spaces", field="name")
    bad = next((ch for ch in name if not ch.isprintable()), None)
    if bad is not None:
        raise ParameterError(f"a cluster name may not contain {bad!r}", field="name", fix="use printable characters")
    return name


class ClusterNames:
    """Users' names in `folder/cluster-names.json`, and the latest clusters of each projection job (in memory)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILENAME
        self._lock = threading.Lock()
        self._latest: OrderedDict[str, Clusters] = OrderedDict()

    # -- the latest clusters of a job ------------------------------------------------------------------------
    def remember(self, job_id: str, found: Clusters) -> None:
        with self._lock:
            self._latest[job_id] = found
            self._latest.move_to_end(job_id)
            while len(self._latest) > LATEST:
                self._latest.popitem(last=False)

    def latest(self, job_id: str) -> Clusters:
        with self._lock:
            found = self._latest.get(job_id)
        if found is None:
            raise NotFoundError(
                f"no clusters found for projection {job_id!r} yet",
                field="job_id",
                fix="POST /api/projections/{job_id}/clusters first",
            )
        return found

    # -- names -----------------------------------------------------------------------------------------------
    def names(self, key: str) -> dict[int, str]:
        with self._lock:
            return {int(i): n for i, n in self._load().get(key, {}).items()}

    def set(self, key: str, cluster_id: int, name: str | None) -> dict[int, str]:
        """Name a cluster (None: back to the name made from its terms); returns the map's names."""
        if name is not None:
            check_name(name)
        with self._lock:
            maps = self._load()
            mine = dict(maps.get(key, {}))
            if name is None:
                mine.pop(str(cluster_id), None)
            else:
                mine[str(cluster_id)] = name
            if len(mine) > MAX_NAMES:
                raise PayloadTooLargeError(f"one map keeps at most {MAX_NAMES:,} cluster names", field="name")
            maps.pop(key, None)
            if mine:
                maps[key] = mine  # the newest last: the oldest maps go first past MAX_MAPS
            while len(maps) > MAX_MAPS:
                maps.pop(next(iter(maps)))
            self._write(maps)
            return {int(i): n for i, n in mine.items()}

    def _load(self) -> dict[str, dict[str, str]]:
        found = read_document(self.path, key="maps", kind=dict, what="cluster names file", limit=MAX_FILE_BYTES)
        maps = {} if found is None else found[0]
        return {k: _good(v) for k, v in maps.items() if isinstance(k, str) and isinstance(v, dict)}

    def _write(self, maps: dict[str, dict[str, str]]) -> None:
        data = json.dumps({"version": VERSION, "maps": maps}, ensure_ascii=False, separators=(",", ":"))
        save_document(self.path, data.encode("utf-8"), what="the cluster names")


def _good(names: dict[Any, Any]) -> dict[str, str]:
    """The entries of one map that are names of clusters (others are left out of what is served)."""
    out = {}
    for i, n in names.items():
        with suppress(EmbedscopeError, TypeError):
            if isinstance(i, str) and i.isdigit():
                out[i] = check_name(n)
    return out
