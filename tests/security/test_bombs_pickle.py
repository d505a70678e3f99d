"""Pickles whose shared references would cost far more than their size: torch .pt (zip and legacy), gensim .kv.

Each hostile file is a few hundred bytes to a few megabytes; unbounded, it hangs the reader or grows past the
child's memory limit. Bounded, it ends in one typed error line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from bombs_kit import ORDERED_DICT, REBUILD, Call, Global, Storage, dumps, legacy_pt, tensor, torch_zip
from bounded import assert_one_error_line, run_cli

BOMB_MESSAGE = r"takes more than [\d,]+ steps: its pickle shares objects"


def shared_dag(depth: int = 100) -> dict[str, object]:
    node: dict[str, object] = {}
    for _ in range(depth):
        node = {"a": node, "b": node}  # pickled once each (memo), walked 2**depth times
    return node


def test_torch_zip_shared_dag(tmp_path: Path) -> None:
    path = torch_zip(tmp_path / "dag.pt", shared_dag())
    assert path.stat().st_size < 4096
    assert_one_error_line(run_cli("info", path), match=rf"dag\.pt: .*{BOMB_MESSAGE}")


def test_torch_zip_one_list_handed_to_many_calls(tmp_path: Path) -> None:
    """100,000 pairs pickled once and handed to 50,000 OrderedDict calls: 5e9 steps from 1.5 MB."""
    pairs = [(i, i) for i in range(100_000)]
    path = torch_zip(tmp_path / "calls.pt", {"t": [ORDERED_DICT(pairs) for _ in range(50_000)]})
    assert_one_error_line(run_cli("info", path), match=rf"calls\.pt: .*{BOMB_MESSAGE}")


def test_torch_zip_rank_past_numpy_limit(tmp_path: Path) -> None:
    """A 100,000-long size tuple pickled once and handed to 50,000 tensor rebuilds, each walking it."""
    storage = Storage("0", 1)
    size = (1,) * 100_000
    calls = [REBUILD(storage, 0, size, size, False, ORDERED_DICT()) for _ in range(50_000)]
    path = torch_zip(tmp_path / "rank.pt", {"t": calls}, {"0": bytes(4)})
    assert_one_error_line(run_cli("info", path), match=r"rank\.pt: a tensor has 100,000 dimensions; at most 64")


def test_torch_stride_zero_view_claiming_gigabytes(tmp_path: Path) -> None:
    """A one-element storage viewed as 100,000 x 4,096 (stride 0): 1.6 GB of float32 to convert from 4 bytes."""
    storage = Storage("0", 1, kind="HalfStorage")
    path = torch_zip(tmp_path / "view.pt", {"w": tensor(storage, (100_000, 4096), (0, 0))}, {"0": bytes(2)})
    assert_one_error_line(run_cli("info", path), match=r"view\.pt.*claims 819,200,000 bytes, over 64x the file's size")


def test_legacy_storage_larger_than_the_file(tmp_path: Path) -> None:
    """A 700-byte torch < 1.6 file declaring a storage of a billion floats: torch.load allocates it at once."""
    storage = Storage("0", 1_000_000_000, legacy=True)
    path = legacy_pt(tmp_path / "legacy.pt", {"w": tensor(storage, (1_000_000, 1000))}, {"0": (1_000_000_000, b"")})
    assert path.stat().st_size < 1024
    assert_one_error_line(
        run_cli("info", path), match=r"legacy\.pt: storage 0 \(1,000,000,000 x FloatStorage.*does not fit"
    )


def test_legacy_shared_dag(tmp_path: Path) -> None:
    path = legacy_pt(tmp_path / "dag.pt", shared_dag(), {})
    assert_one_error_line(run_cli("info", path), match=rf"dag\.pt: .*{BOMB_MESSAGE}")


def test_legacy_file_with_honest_sizes_reads(tmp_path: Path) -> None:
    storage = Storage("0", 6, legacy=True)
    data = np.arange(6, dtype="<f4").tobytes()
    path = legacy_pt(tmp_path / "ok.pt", {"w": tensor(storage, (3, 2))}, {"0": (6, data)})
    outcome = run_cli("info", path)
    assert outcome.returncode == 0, outcome.describe()
    assert "3" in outcome.stdout


# -- gensim ------------------------------------------------------------------------------------------------------
KEYED_VECTORS = Global("gensim.models.keyedvectors", "KeyedVectors")


def gensim_file(path: Path, state: dict[str, object]) -> Path:
    path.write_bytes(dumps(Call(KEYED_VECTORS, (), state), protocol=4))
    return path


def test_gensim_shared_label_expanded_a_hundred_thousand_times(tmp_path: Path) -> None:
    """One 1 MB key shared by 100,000 rows: 1.2 MB of pickle, 100 GB of labels."""
    big = "w" * 1_000_000
    state = {"index_to_key": [big] * 100_000, "vectors": np.zeros((100_000, 1), np.float32)}
    path = gensim_file(tmp_path / "labels.kv", state)
    assert_one_error_line(run_cli("info", path), match=rf"labels\.kv: .*{BOMB_MESSAGE}")


def test_gensim_call_allocating_from_a_number(tmp_path: Path) -> None:
    """builtins.bytes(900_000_000) is 9 bytes of pickle."""
    state = {"vectors": np.zeros((2, 2), np.float32), "junk": Call(Global("builtins", "bytes"), (900_000_000,))}
    path = gensim_file(tmp_path / "alloc.kv", state)
    assert_one_error_line(run_cli("info", path), match=r"alloc\.kv: refusing bytes\(900000000\)")


def test_gensim_shared_state_built_again_and_again(tmp_path: Path) -> None:
    """A 200,000-entry state dict shared by 20,000 objects: each BUILD copies it."""
    shared = {str(i): i for i in range(200_000)}
    parts = [Call(Global("gensim.utils", "SaveLoad"), (), shared) for _ in range(20_000)]
    state = {"vectors": np.zeros((2, 2), np.float32), "parts": parts}
    path = gensim_file(tmp_path / "state.kv", state)
    assert_one_error_line(run_cli("info", path), match=rf"state\.kv: .*{BOMB_MESSAGE}")
