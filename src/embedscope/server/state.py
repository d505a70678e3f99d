"""What the server holds: its settings, the served Collection, the projection cache and jobs.

Id scheme (decided here; every route follows it):

- A run is addressed as ``r{i}``: ``i`` is its position in the Collection's run order (``r0`` is the first,
  which is the default run ``"."`` for a single file). An embedding inside a run is ``e{j}``: ``j`` is its
  position in that run. The listing (``GET /api/runs``) gives each id beside its name.
- Routes take ``/api/runs/{run}/embeddings/{tensor}/...``. ``{run}`` and ``{tensor}`` are looked up as ids
  first, then as exact names (a dictionary lookup: never a path), so a script may write a plain name when it
  contains no ``/`` and is not itself id-like. Anything else is a 404.
- Ids are stable for the life of the server: uploads replace an embedding's metadata in place, never reorder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from fastapi import Request

from ..compute.cache import ProjectionCache
from ..compute.tiles import CAPACITY
from ..embedding import Collection, Embedding
from ..errors import EmbedscopeError, NotFoundError
from .bookmarks import BookmarkStore
from .cluster_names import ClusterNames
from .confinement import ServedFiles
from .edit_layer import EditLayer
from .edits import EditStore
from .jobs import JobManager  # jobs.py refers back to ServerState for type checking only

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 6006  # TensorBoard's
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024
TILES_FROM = 2_000_000  # the page takes a 2-D map of up to this many points whole (issue 14: fluid at a million)
_RUN_ID = re.compile(r"r(0|[1-9][0-9]{0,8})")
_TENSOR_ID = re.compile(r"e(0|[1-9][0-9]{0,8})")


@dataclass
class ServerSettings:
    """How the server runs. `state_dir` None: next to the data when writable, else the user's data dir."""

    host: str = DEFAULT_HOST
    port: int = 0
    token: str | None = None
    state_dir: Path | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    cache_dir: Path | None = None
    paths: Sequence[Path] = field(default_factory=tuple)  # what was served (names the default state dir)
    frame_ancestors: Sequence[str] = ()  # CSP sources that may show the page in a frame; none by default
    tiles_from: int = TILES_FROM  # a 2-D map of more points than this is drawn from tiles (routes/tiles.py)
    tile_points: int = CAPACITY  # points a tile holds


def run_id(i: int) -> str:
    return f"r{i}"


def tensor_id(j: int) -> str:
    return f"e{j}"


def _writable(path: Path) -> bool:
    """Whether `path` (or its nearest existing ancestor) can be written to."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return False
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)


def user_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "embedscope"


def default_state_dir(paths: Sequence[Path]) -> Path:
    """`.embedscope` next to the one served path when writable, else $XDG_DATA_HOME/embedscope/<hash of the paths>."""
    resolved = sorted(str(Path(p).expanduser().resolve()) for p in paths)
    if len(resolved) == 1:
        served = Path(resolved[0])
        beside = served / ".embedscope" if served.is_dir() else served.parent / ".embedscope" / served.name
        if _writable(beside):
            return beside
    digest = hashlib.sha256("\n".join(resolved).encode("utf-8")).hexdigest()[:16]
    return user_data_dir() / digest


class ServerState:
    """The served Collection with its ids, the projection cache and the job manager (server/jobs.py)."""

    def __init__(self, collection: Collection, settings: ServerSettings) -> None:
        self.collection = collection
        self.settings = settings
        self.state_dir = settings.state_dir or default_state_dir(list(settings.paths) or _sources(collection))
        self.cache = ProjectionCache(settings.cache_dir)
        self.metadata_lock = threading.Lock()  # held while an upload replaces an embedding's metadata
        self.bookmarks = BookmarkStore(self.state_dir)
        self.cluster_names = ClusterNames(self.state_dir)
        self.edits = EditLayer(EditStore(self.state_dir))  # users' tags, kept in the state folder
        self.edits.lay_all(collection.runs)
        self.files = ServedFiles(collection)  # the served root of each run; files named are opened through it
        self.jobs: JobManager | None = None
        self._closed = False
        self._refresh_lock = threading.Lock()
        self._former: weakref.WeakKeyDictionary[Embedding, Embedding] = weakref.WeakKeyDictionary()  # old -> new
        self.open()

    def open(self) -> None:
        """Start the job manager (again, after close(): test clients run the app's lifespan once per request)."""
        if self.jobs is not None and not self._closed:
            return
        self.jobs = JobManager(self)
        self._closed = False

    @property
    def roots(self) -> dict[str, Path]:
        """The served folder of each run (decided at start-up): nothing outside it is opened on request."""
        return self.files.roots

    def open_file(self, emb: Embedding, path: str, *, what: str) -> IO[bytes]:
        """A file `emb` names (its sprite, its config's bookmarks), opened confined to its run's served folder."""
        rid, _ = self.ids_of(emb)
        return self.files.open(self.run_name(rid), path, what=what)

    # -- ids -------------------------------------------------------------------------------------------------
    def runs(self) -> list[tuple[str, str]]:
        """(id, name) of every run, in order."""
        return [(run_id(i), name) for i, name in enumerate(self.collection.runs)]

    def refresh(self) -> None:
        """Take in the steps appended to a log dir since it was read.

        Only embeddings with steps are looked at: one stat of their projector config each; the embedding is read
        again (into the same id) when the config changed. A config that cannot be read keeps what was there.
        """
        for rname, tensors in self.collection.runs.items():
            for tname, emb in list(tensors.items()):
                if emb.steps is None or not emb.steps.stale():
                    continue
                with self._refresh_lock:
                    if tensors.get(tname) is not emb or not emb.steps.stale():
                        continue  # another request did it
                    try:
                        new = emb.steps.reload()
                    except EmbedscopeError as exc:
                        log.warning("not taking in the new steps of %r: %s", tname, exc.describe())
                        continue
                    if new is None:
                        continue
                    new.name = emb.name
                    new = self.edits.fresh(rname, tname, new)
                    tensors[tname] = new
                    self._former[emb] = new
                    log.info("%r: steps now %s", tname, None if new.steps is None else new.steps.numbers)

    def tensors(self, run: str) -> list[tuple[str, Embedding]]:
        """(id, embedding) of every embedding in a run (given by id or name)."""
        self.refresh()
        name = self.run_name(run)
        return [(tensor_id(j), emb) for j, emb in enumerate(self.collection.runs[name].values())]

    def run_name(self, run: str) -> str:
        names = list(self.collection.runs)
        m = _RUN_ID.fullmatch(run)
        if m and int(m.group(1)) < len(names):
            return names[int(m.group(1))]
        if run in self.collection.runs:
            return run
        raise NotFoundError(
            f"no run {run!r}", field="run", fix=f"use a run id r0..r{len(names) - 1} from GET /api/runs"
        )

    def tensor_name(self, run: str, tensor: str) -> tuple[str, str]:
        """(run name, tensor name) for ids or names; NotFoundError when either is unknown."""
        rname = self.run_name(run)
        tensors = self.collection.runs[rname]
        names = list(tensors)
        m = _TENSOR_ID.fullmatch(tensor)
        if m and int(m.group(1)) < len(names):
            return rname, names[int(m.group(1))]
        if tensor in tensors:
            return rname, tensor
        raise NotFoundError(
            f"no embedding {tensor!r} in run {rname!r}",
            field="tensor",
            fix=f"use an embedding id e0..e{len(names) - 1} from GET /api/runs",
        )

    def embedding(self, run: str, tensor: str) -> Embedding:
        """The embedding a (run, tensor) pair of ids or names addresses; NotFoundError when there is none."""
        self.refresh()
        rname, tname = self.tensor_name(run, tensor)
        return self.collection.runs[rname][tname]

    def ids_of(self, emb: Embedding) -> tuple[str, str]:
        """(run id, tensor id) of an embedding the collection holds (or held before its new steps came in)."""
        for _ in range(10_000):
            if emb not in self._former:
                break
            emb = self._former[emb]
        for i, tensors in enumerate(self.collection.runs.values()):
            for j, held in enumerate(tensors.values()):
                if held is emb:
                    return run_id(i), tensor_id(j)
        raise NotFoundError(f"embedding {emb.name!r} is not served", field="tensor")

    def replace_metadata(self, run: str, tensor: str, metadata: pa.Table) -> Embedding:
        """Give an embedding new metadata (in memory only, not on disk); its id stays the same."""
        with self.metadata_lock:
            rname, tname = self.tensor_name(run, tensor)
            new = self.edits.fresh(rname, tname, self.collection.runs[rname][tname].with_metadata(metadata))
            self.collection.runs[rname][tname] = new
            return new

    def set_columns(self, run: str, tensor: str, columns: pa.Table) -> Embedding:
        """Put these columns in an embedding's metadata (in memory only), in place of any of the same name, with the
        tags given to them laid over again; its label column stays what it was (none stays none)."""
        with self.metadata_lock:
            rname, tname = self.tensor_name(run, tensor)
            old = self.collection.runs[rname][tname]
            new = self.edits.columns_set(rname, tname, old.with_columns(columns), columns.column_names)
            self.collection.runs[rname][tname] = new
            self._former[old] = new
            return new

    def change(self, run: str, tensor: str, make: Callable[[str, str, Embedding], Embedding]) -> Embedding:
        """Serve `make(run name, tensor name, embedding)` in place of an embedding (its metadata tagged, say); its id
        stays the same."""
        with self.metadata_lock:
            rname, tname = self.tensor_name(run, tensor)
            old = self.collection.runs[rname][tname]
            new = make(rname, tname, old)
            self.collection.runs[rname][tname] = new
            self._former[old] = new
            return new

    def close(self) -> None:
        """Stop the jobs (called when the app shuts down)."""
        self._closed = True
        for name in ("shutdown", "close"):
            stop: Any = getattr(self.jobs, name, None)
            if callable(stop):
                stop()
                return


def _sources(collection: Collection) -> list[Path]:
    return [Path(collection.source)] if collection.source else [Path.cwd()]


def get_state(request: Request) -> ServerState:
    """FastAPI dependency: the ServerState that make_app stored on the app."""
    state: ServerState = request.app.state.embedscope
    return state
