"""The docs are tested: their examples run, and the CLI reference covers every command and option.

- Every ```python block in docs/**/*.md runs, each in a fresh temporary directory as its working directory.
- Per page, every line of a ```sh block that starts with `embedscope ` runs through click's CliRunner and
  must exit 0, in a temporary directory where that page's python blocks ran first (in order). When a
  ```text block follows an sh block (nothing but blank lines between), it is what those commands print.
- A block whose info string holds `no-run` (```sh no-run, ```python no-run) is shown, not run.
- docs/cli.md mentions every command, argument, option and choice of `embedscope.cli.cli`.
- Links between the pages lead to existing files and headings.

Examples name committed fixtures by paths relative to the repository root (`tests/fixtures/...`), as a reader
at the root would type them: the temporary directory holds a `tests` link to the repository's tests folder.
The root is also in the environment (EMBEDSCOPE_REPO_ROOT) and in the python blocks' globals (REPO_ROOT).
"""

from __future__ import annotations

import logging
import re
import shlex
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from embedscope.cli import cli

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
CLI_PAGE = DOCS / "cli.md"
COMMON_SECTION = "Reading options"  # the cli.md section holding the options several commands share


@dataclass(frozen=True)
class Block:
    page: str  # relative to docs/
    number: int  # 1-based, counted per language on its page
    lang: str
    run: bool
    code: str
    line: int  # line of the first code line in the page
    expected: str | None = None  # sh: the ```text block right after it, the output its commands print

    @property
    def where(self) -> str:
        return f"docs/{self.page} {self.lang} block {self.number} (line {self.line})"


def read_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page (fences at the start of a line)."""
    page = path.relative_to(DOCS).as_posix()
    found: list[tuple[str, str, int, int]] = []  # (info string, code, first code line, closing fence line)
    info: str | None = None
    start = 0
    body: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if info is None:
            if line.startswith("```"):
                info, start, body = line[3:].strip(), number + 1, []
        elif line.rstrip() == "```":
            found.append((info, "\n".join(body) + "\n", start, number))
            info = None
        else:
            body.append(line)
    assert info is None, f"docs/{page}: a ``` block opened on line {start - 1} is never closed"
    blocks: list[Block] = []
    counts: dict[str, int] = {}
    for i, (info, code, first, end) in enumerate(found):
        words = info.split()
        lang = words[0] if words else ""
        counts[lang] = counts.get(lang, 0) + 1
        expected = None
        if lang == "sh" and i + 1 < len(found) and found[i + 1][0] == "text":
            between = lines[end : found[i + 1][2] - 2]
            expected = found[i + 1][1] if not any(s.strip() for s in between) else None
        blocks.append(Block(page, counts[lang], lang, "no-run" not in words, code, first, expected))
    return blocks


PAGES = sorted(DOCS.rglob("*.md"))
BLOCKS = [block for page in PAGES for block in read_blocks(page)]
PYTHON = [b for b in BLOCKS if b.lang == "python" and b.run]
SH_PAGES = sorted({b.page for b in BLOCKS if b.lang == "sh" and b.run})


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory where `tests/fixtures/...` resolves as it does at the repository root."""
    (tmp_path / "tests").symlink_to(REPO_ROOT / "tests", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMBEDSCOPE_REPO_ROOT", str(REPO_ROOT))
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / ".cache"))  # projections: no shared cache
    return tmp_path


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI installs its own handler on the `embedscope` logger; put the logger back as it was."""
    logger = logging.getLogger("embedscope")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


def run_python(block: Block) -> None:
    # padded with blank lines so that a traceback names the line of the Markdown page
    code = compile("\n" * (block.line - 1) + block.code, f"docs/{block.page}", "exec")
    failure = None
    try:
        exec(code, {"__name__": "__main__", "REPO_ROOT": REPO_ROOT})
    except Exception:
        failure = traceback.format_exc()
    if failure is not None:
        pytest.fail(f"{block.where} failed:\n{failure}", pytrace=False)


def command_lines(block: Block) -> Iterator[tuple[int, list[str]]]:
    """(line number, argv after `embedscope`) of each `embedscope ...` command line of an sh block."""
    lines = block.code.splitlines()
    i = 0
    while i < len(lines):
        first = i
        text = lines[i]
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1] + " " + lines[i]
        i += 1
        if text.startswith("embedscope "):
            yield block.line + first, shlex.split(text, comments=True)[1:]


@pytest.mark.parametrize("block", PYTHON, ids=lambda b: f"{b.page}#python-{b.number}")
def test_python_block_runs(block: Block, workspace: Path) -> None:
    run_python(block)


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.mark.parametrize("page", SH_PAGES)
def test_sh_commands_exit_0(page: str, workspace: Path) -> None:
    """Each `embedscope` line exits 0; an sh block followed by a ```text block prints that text (stdout)."""
    blocks = [b for b in BLOCKS if b.page == page and b.run]
    for block in blocks:
        if block.lang == "python":
            run_python(block)
    ran = 0
    for block in blocks:
        if block.lang != "sh":
            continue
        printed = []
        for line, argv in command_lines(block):
            result = CliRunner().invoke(cli, argv, prog_name="embedscope")
            if result.exit_code != 0:
                crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
                detail = "".join(traceback.format_exception(result.exception)) if crashed else ""
                pytest.fail(
                    f"docs/{page} line {line}: `embedscope {shlex.join(argv)}` exited {result.exit_code}:\n"
                    f"{result.output}{detail}",
                    pytrace=False,
                )
            printed.append(result.stdout)
            ran += 1
        if block.expected is not None and normalise("".join(printed)) != normalise(block.expected):
            pytest.fail(
                f"{block.where}: its commands print\n{''.join(printed)}\nbut the ```text block after it shows\n"
                f"{block.expected}",
                pytrace=False,
            )
    assert ran, f"docs/{page}: its sh blocks hold no `embedscope ...` line to run; mark them ```sh no-run"


def test_pages_are_found() -> None:
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"getting-started.md", "cli.md", "formats/README.md", "formats/tsv.md"} <= names
    assert PYTHON and SH_PAGES


def test_every_format_page_is_in_the_index() -> None:
    index = (DOCS / "formats" / "README.md").read_text(encoding="utf-8")
    for page in sorted((DOCS / "formats").glob("*.md")):
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/formats/README.md does not link {page.name}"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_between_pages_resolve() -> None:
    broken: list[str] = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # http(s) and other schemes
            file, _, anchor = target.partition("#")
            linked = (page.parent / file).resolve() if file else page
            if not linked.exists():
                broken.append(f"docs/{page.relative_to(DOCS)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ +(.+)$", linked.read_text(encoding="utf-8"), flags=re.M)
                if anchor not in {slug(h) for h in headings}:
                    broken.append(f"docs/{page.relative_to(DOCS)}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


# -- the CLI reference -----------------------------------------------------------------------------------
def sections(text: str) -> dict[str, str]:
    """`## heading` -> the text under it (up to the next `## `)."""
    parts = re.split(r"^## +(.+)$", text, flags=re.M)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix}{name} ")


def shared_options() -> set[str]:
    """Option names that more than one command has (documented once, in the common section)."""
    seen: dict[str, int] = {}
    for _, command in commands(cli):
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    seen[opt] = seen.get(opt, 0) + 1
    return {opt for opt, count in seen.items() if count > 1}


def command_section(parts: dict[str, str], name: str) -> str | None:
    for heading, body in parts.items():
        if heading.strip("`") == f"embedscope {name}":
            return body
    return None


def test_cli_reference_covers_every_command_and_option() -> None:
    text = CLI_PAGE.read_text(encoding="utf-8")
    parts = sections(text)
    common = parts.get(COMMON_SECTION, "")
    assert common, f"docs/cli.md needs a `## {COMMON_SECTION}` section"
    shared = shared_options()
    missing: list[str] = []
    for param in cli.params:
        missing += [f"embedscope {opt}" for opt in param.opts + param.secondary_opts if not mentions(text, opt)]
    for name, command in commands(cli):
        body = command_section(parts, name)
        if body is None:
            missing.append(f"a `## embedscope {name}` section")
            continue
        for param in command.params:
            if isinstance(param, click.Argument):
                if not mentions(body, param.human_readable_name):
                    missing.append(f"argument {param.human_readable_name} of `embedscope {name}`")
                continue
            for opt in param.opts + param.secondary_opts:
                where = body + (common if opt in shared else "")
                if not mentions(where, opt):
                    missing.append(f"option {opt} of `embedscope {name}`")
            if isinstance(param.type, click.Choice):
                where = body + (common if any(o in shared for o in param.opts) else "")
                missing += [
                    f"choice {choice!r} of {param.opts[-1]} of `embedscope {name}`"
                    for choice in param.type.choices
                    if not mentions(where, str(choice))
                ]
    assert not missing, "docs/cli.md does not mention:\n" + "\n".join(missing)


def test_cli_reference_names_only_real_options() -> None:
    """An option the reference shows for a command must exist (catches renamed or removed options)."""
    parts = sections(CLI_PAGE.read_text(encoding="utf-8"))
    general = {opt for param in cli.params for opt in param.opts + param.secondary_opts} | {"--help"}
    stale: list[str] = []
    for name, command in commands(cli):
        body = command_section(parts, name) or ""
        real = general | {opt for p in command.params for opt in p.opts + p.secondary_opts}
        for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z][\w-]*", body))):
            if opt not in real:
                stale.append(f"{opt} in the `embedscope {name}` section")
    assert not stale, "docs/cli.md shows options the CLI does not have:\n" + "\n".join(stale)
