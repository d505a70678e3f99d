"""Zip members that unpack to far more than the archive's size (.npz, torch .pt, .keras) end in one typed error."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
from bombs_kit import PIECE, Storage, deflate, npy_header, stored, tensor, torch_zip, write_zip
from bounded import assert_one_error_line, run_cli

BOMB = 80 * PIECE  # 1.25 GiB of zeros: past the 1 GiB the child may map, from 1.3 MB of deflate


def test_npz_deflate_bomb(tmp_path: Path) -> None:
    head = npy_header((BOMB // 1024, 256))
    path = write_zip(tmp_path / "bomb.npz", [("vectors.npy", deflate(head, BOMB), len(head) + BOMB, 8)])
    assert path.stat().st_size < 2 << 20
    assert_one_error_line(run_cli("info", path), match=r"bomb\.npz: zip member vectors\.npy unpacks to .* bomb")


def test_npz_header_declaring_more_than_the_member_holds(tmp_path: Path) -> None:
    head = npy_header((1 << 20, 1024))  # 4 GiB declared, 16 bytes held
    path = write_zip(tmp_path / "liar.npz", [stored("vectors.npy", head + bytes(16))])
    assert_one_error_line(run_cli("info", path), match=r"liar\.npz.*vectors.*4,294,967,296 bytes.*holds 16")


def test_npz_members_sharing_one_bomb_are_charged_together(tmp_path: Path) -> None:
    """Many small members: each within the ratio, together far past it (the overlapping-members zip bomb)."""
    head = npy_header((PIECE // 1024, 256))
    member = deflate(head, PIECE)
    path = write_zip(tmp_path / "many.npz", [(f"v{i}.npy", member, len(head) + PIECE, 8) for i in range(80)])
    assert_one_error_line(run_cli("info", path), match=r"many\.npz: zip member v\d+\.npy unpacks to .* bomb")


def test_torch_storage_deflate_bomb(tmp_path: Path) -> None:
    storage = Storage("0", BOMB // 4)
    path = torch_zip(tmp_path / "bomb.pt", {"embedding.weight": tensor(storage, (16, 16))})  # a small view
    with zipfile.ZipFile(path) as zf:
        members = [stored(info.filename, zf.read(info)) for info in zf.infolist()]
    write_zip(path, [*members, ("archive/data/0", deflate(b"", BOMB), BOMB, 8)])
    assert_one_error_line(run_cli("info", path), match=r"bomb\.pt: zip member archive/data/0 unpacks to .* bomb")


def test_torch_member_unpacking_past_its_declared_size(tmp_path: Path) -> None:
    """data.pkl says 64 bytes; its stream unpacks to 1.25 GiB: read in chunks, the lie stops at 64 bytes."""
    path = write_zip(tmp_path / "liar.pt", [("archive/data.pkl", deflate(b"", BOMB), 64, 8)])
    line = assert_one_error_line(run_cli("info", path), match=r"liar\.pt")
    assert "MemoryError" not in line


def test_keras_config_deflate_bomb(tmp_path: Path) -> None:
    weights = stored("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    path = write_zip(tmp_path / "bomb.keras", [("config.json", deflate(b"{}", BOMB), BOMB + 2, 8), weights])
    assert_one_error_line(run_cli("info", path), match=r"bomb\.keras: zip member config\.json unpacks to .* bomb")


def test_bzip2_and_lzma_members_are_refused(tmp_path: Path) -> None:
    """bzip2 unpacks a whole compressed chunk in one call, whatever its ratio: only stored and deflate are read."""
    path = tmp_path / "bz.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as zf, zf.open("vectors.npy", "w") as fh:
        np.save(fh, np.ones((3, 2), np.float32))
    assert_one_error_line(run_cli("info", path), match=r"bz\.npz: zip member vectors\.npy is compressed with method 12")
    path = tmp_path / "lz.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_LZMA) as zf:
        zf.writestr("config.json", json.dumps({"class_name": "Sequential"}))
        zf.writestr("model.weights.h5", b"\x89HDF")
    assert_one_error_line(
        run_cli("info", path), match=r"lz\.keras: zip member config\.json is compressed with method 14"
    )


def test_a_genuine_compressed_npz_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.npz"
    np.savez_compressed(path, vectors=np.arange(12, dtype=np.float32).reshape(4, 3), labels=np.array(list("abcd")))
    outcome = run_cli("info", path)
    assert outcome.returncode == 0, outcome.describe()


def test_an_encrypted_npz_member_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "enc.npz"
    np.savez(path, vectors=np.arange(12, dtype=np.float32).reshape(4, 3))
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers: bit 0 set
        at = data.find(signature)
        data[at + flag_at] |= 1
    path.write_bytes(bytes(data))
    assert_one_error_line(run_cli("info", path), match=r"enc.npz: zip member vectors.npy is encrypted")
