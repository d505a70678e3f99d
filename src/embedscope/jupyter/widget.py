"""ProjectorWidget: the anywidget that shows the projector page in a notebook and shares its selection.

Its view (widget.js, beside this file) puts the page served by a background embedscope server in an <iframe>;
the `selection` trait is kept equal to the page's selection in both directions.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import pyarrow as pa
import traitlets

from ..embedding import Embedding
from ..errors import ParameterError, require
from ..server.launch import BackgroundServer
from .inputs import Shown


class Indices(traitlets.List):
    """A list of row numbers; any iterable of integers (a NumPy array, a range, a set) is taken."""

    def __init__(self) -> None:
        super().__init__(trait=traitlets.Int())

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise ParameterError(
                f"`selection` must be a list of row numbers, got {type(value).__name__}", field="selection"
            )
        items = list(value)
        try:
            value = [operator.index(v) for v in items]
        except TypeError:
            raise ParameterError(
                f"`selection` must hold integer row numbers, got {items[:5]!r}", field="selection"
            ) from None
        return super().validate(obj, value)


class ProjectorWidget(anywidget.AnyWidget):
    """The projector inline in a notebook. `selection`: row numbers, read and set; `selected`: their metadata."""

    # its text, not its Path: anywidget watches a Path's file through a signal that holds every widget for good
    _esm = Path(__file__).with_name("widget.js").read_text(encoding="utf-8")
    src = traitlets.Unicode("").tag(sync=True)  # the URL the frame opens (relative: under Jupyter's base URL)
    url = traitlets.Unicode("").tag(sync=True)  # the page on this machine
    height = traitlets.Int(600).tag(sync=True)
    selection = Indices().tag(sync=True)

    def __init__(self, shown: Shown, server: BackgroundServer, *, src: str, height: int = 600) -> None:
        self._shown = shown
        self._server = server
        self._stop = weakref.finalize(self, server.stop)  # when garbage-collected, the server stops too
        super().__init__(src=src, url=server.url, height=height)

    @traitlets.observe("comm")
    def _watch_comm(self, change: Any) -> None:
        if change["new"] is not None:
            change["new"].on_close(self._comm_closed)

    def _comm_closed(self, _message: Any) -> None:
        """The front end closed the comm (the view is gone for good): stop the server and close the widget."""
        self.close()

    @traitlets.validate("selection")
    def _check_selection(self, proposal: Any) -> list[int]:
        rows = list(dict.fromkeys(proposal["value"]))  # each row once, in the order given
        n = len(self._shown.embedding)
        bad = [i for i in rows if not 0 <= i < n]
        if bad:
            raise ParameterError(
                f"row {bad[0]} is out of range: this embedding has N = {n:,} rows (0..{n - 1})", field="selection"
            )
        return rows

    @traitlets.validate("height")
    def _check_height(self, proposal: Any) -> int:
        if proposal["value"] < 100:
            raise ParameterError(f"`height` must be at least 100 px, got {proposal['value']}", field="height")
        return int(proposal["value"])

    @property
    def embedding(self) -> Embedding:
        """The embedding shown (with the labels, metadata and images given to show())."""
        return self._shown.embedding

    @property
    def selected(self) -> Any:
        """The selected rows' metadata as a pandas DataFrame, in selection order.

        Its index is the DataFrame's own index when show() was given a DataFrame, else the row numbers.
        """
        pd: Any = require("pandas", extra="jupyter", purpose="`widget.selected`")
        rows = list(self.selection)
        table = self._shown.table
        index = pd.Index(rows, name="row") if self._shown.index is None else self._shown.index[rows]
        if table is None:
            return pd.DataFrame(index=index)
        frame = table.take(pa.array(rows, type=pa.int64())).to_pandas()
        frame.index = index
        return frame

    @property
    def port(self) -> int:
        """The port of the page's server on 127.0.0.1."""
        return self._server.port

    @property
    def running(self) -> bool:
        """Whether the page's server still runs (close() stops it)."""
        return self._server.running

    def close(self) -> None:
        """Stop the page's server and close the widget (its comm: the front end removes the view)."""
        self._stop()
        super().close()

    def __repr__(self) -> str:
        n, d = self._shown.embedding.shape
        state = "" if self._server.running else ", closed"
        return f"ProjectorWidget({n:,} x {d:,}, {len(self.selection):,} selected, url={self.url!r}{state})"
