"""`embedscope serve` takes its token from $EMBEDSCOPE_TOKEN or --token-file as well, so that `ps` need not show
it; each source is checked the same way."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from embedscope.cli import cli
from embedscope.server.state import ServerSettings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[list[ServerSettings], Path]:
    """The settings the CLI hands to the server (it is not started), and a small .npy to serve."""
    import embedscope.server.launch as launch

    got: list[ServerSettings] = []
    monkeypatch.setattr(launch, "serve", lambda collection, settings, **kwargs: got.append(settings))
    monkeypatch.delenv("EMBEDSCOPE_TOKEN", raising=False)
    path = tmp_path / "v.npy"
    np.save(path, np.eye(4, 3, dtype=np.float32))
    return got, path


def serve(path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["serve", str(path), "--host", "0.0.0.0", "--no-warm-up", *args], env=env)


def test_the_token_from_the_environment(served: tuple[list[ServerSettings], Path]) -> None:
    got, path = served
    result = serve(path, env={"EMBEDSCOPE_TOKEN": "from-env_1"})
    assert result.exit_code == 0, result.output
    assert got[-1].token == "from-env_1"


def test_the_token_from_a_file(served: tuple[list[ServerSettings], Path], tmp_path: Path) -> None:
    got, path = served
    secret = tmp_path / "token"
    secret.write_text("from-file~2\n# a comment line is ignored\n")
    result = serve(path, "--token-file", str(secret))
    assert result.exit_code == 0, result.output
    assert got[-1].token == "from-file~2"


def test_one_source_at_a_time(served: tuple[list[ServerSettings], Path], tmp_path: Path) -> None:
    _, path = served
    secret = tmp_path / "token"
    secret.write_text("abc\n")
    both = serve(path, "--token-file", str(secret), env={"EMBEDSCOPE_TOKEN": "x"})
    assert both.exit_code == 2 and "$EMBEDSCOPE_TOKEN and --token-file" in both.output
    both = serve(path, "--token-file", str(secret), "--token", "y")
    assert both.exit_code == 2 and "--token and --token-file" in both.output


@pytest.mark.parametrize(
    ("content", "match"), [("", "empty token"), ("\n", "empty token"), ("a b;c\n", "letters, digits")]
)
def test_bad_token_files_are_refused(
    served: tuple[list[ServerSettings], Path], tmp_path: Path, content: str, match: str
) -> None:
    got, path = served
    secret = tmp_path / "token"
    secret.write_text(content)
    result = serve(path, "--token-file", str(secret))
    assert result.exit_code == 2 and match in result.output and "Traceback" not in result.output
    assert not got


def test_a_fifo_or_a_missing_file_is_one_error_line(served: tuple[list[ServerSettings], Path], tmp_path: Path) -> None:
    got, path = served
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for given in (fifo, tmp_path / "missing"):
        result = serve(path, "--token-file", str(given))
        assert result.exit_code == 1 and result.output.count("error:") == 1, result.output
    assert not got
