"""The one error hierarchy of embedscope.

Library code and the server raise these; only ``cli.py`` turns them into one printed line and an exit code, and
only the server turns them into HTTP errors (through ``status``, with the one body of ``error_body``). Every
message says where, what was expected, what was found and how to fix it.
"""

from __future__ import annotations

from os import PathLike


def error_body(
    kind: str,
    message: str,
    *,
    path: str | None = None,
    line: int | None = None,
    column: int | None = None,
    field: str | None = None,
    fix: str | None = None,
) -> dict[str, object]:
    """The one JSON error body: `{"error": {kind, message, path, line, column, field, fix}}`.

    EmbedscopeError.to_dict gives it for an error raised on purpose; the server builds it here for the errors
    it meets otherwise (request validation, unknown routes, unexpected exceptions).
    """
    return {
        "error": {
            "kind": kind,
            "message": message,
            "path": path,
            "line": line,
            "column": column,
            "field": field,
            "fix": fix,
        }
    }


class EmbedscopeError(Exception):
    """Base of every error embedscope raises on purpose."""

    status: int = 400
    exit_code: int = 1
    kind: str = "error"

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.field = field
        self.fix = fix
        super().__init__(self.describe())

    @property
    def where(self) -> str:
        """`file line L, column C` (or `field F`), whichever parts are known."""
        parts: list[str] = []
        if self.path is not None:
            parts.append(self.path)
        if self.line is not None:
            parts.append(f"line {self.line:,}")
        if self.column is not None:
            parts.append(f"column {self.column:,}")
        if self.field is not None:
            parts.append(f"field `{self.field}`")
        if not parts:
            return ""
        head = parts[0] if self.path is not None else ""
        rest = ", ".join(parts[1:] if self.path is not None else parts)
        return f"{head} {rest}".strip()

    def describe(self) -> str:
        where = self.where
        text = f"{where}: {self.message}" if where else self.message
        if self.fix:
            text = f"{text}; {self.fix}"
        return text

    def to_dict(self) -> dict[str, object]:
        """The one JSON error body shape the server answers with (see error_body)."""
        return error_body(
            self.kind,
            self.describe(),
            path=self.path,
            line=self.line,
            column=self.column,
            field=self.field,
            fix=self.fix,
        )


class FormatError(EmbedscopeError):
    """A file's content is not what its format requires (ragged rows, bad numbers, truncation...)."""

    kind = "format"


class MetadataError(FormatError):
    """A metadata table does not fit its vectors (row counts, header rules)."""

    kind = "metadata"


class IntegrityError(FormatError):
    """Stored checksums do not match what was read."""

    kind = "integrity"


class NotFoundError(EmbedscopeError):
    """A file, run, tensor or label that does not exist."""

    status = 404
    kind = "not_found"


class AmbiguousError(EmbedscopeError):
    """A name that matches several things (duplicate labels, several tensors)."""

    status = 409
    kind = "ambiguous"


class ParameterError(EmbedscopeError):
    """A parameter value out of its range or not among its choices."""

    status = 422
    kind = "parameter"


class AccessDeniedError(EmbedscopeError):
    """A path that leaves what was served or configured."""

    status = 403
    kind = "access_denied"


class ConflictError(EmbedscopeError):
    """A name already taken (a bookmark saved again under the name of another)."""

    status = 409
    kind = "conflict"


class UnauthorizedError(EmbedscopeError):
    """A request to the server without its token."""

    status = 401
    kind = "unauthorized"


class ForbiddenError(EmbedscopeError):
    """A request from a host or origin the server does not answer."""

    status = 403
    kind = "forbidden"


class PayloadTooLargeError(EmbedscopeError):
    """A request body, upload or stored document over its size limit."""

    status = 413
    kind = "too_large"


class TooManyRequestsError(EmbedscopeError):
    """The server is at a limit of work it takes on (projection jobs queued); try again later."""

    status = 429
    kind = "too_many_requests"


class StorageError(EmbedscopeError):
    """The state folder could not be written (disk full, permissions)."""

    status = 507
    kind = "storage"


class JobStateError(EmbedscopeError):
    """A job is not in the state the request needs (its result asked before it finished, say)."""

    status = 409
    kind = "job_state"


class JobCrashedError(EmbedscopeError):
    """A job stopped on an unexpected exception (a bug); its traceback is in the server log."""

    status = 500
    kind = "internal"


class ServerStartError(EmbedscopeError):
    """The server did not start (its thread failed, or it did not listen in time)."""

    status = 500
    kind = "server_start"


class MissingExtraError(EmbedscopeError):
    """An optional package is needed; the message names the extra to install."""

    status = 501
    kind = "missing_extra"

    def __init__(self, package: str, extra: str, *, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the optional package `{package}`",
            fix=f'install it with: pip install "embedscope[{extra}]"',
        )


def require(module: str, *, extra: str, purpose: str) -> object:
    """Import an optional module or raise MissingExtraError naming the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(module.split(".")[0], extra, purpose=purpose) from None
