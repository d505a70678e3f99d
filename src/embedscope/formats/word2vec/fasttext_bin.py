"""fastText binary models (`.bin`, as the fastText tool and gensim's save_facebook_model write them), read by
gensim's own loader (`gensim.models.fasttext.load_facebook_vectors`): the vocabulary's word vectors, each the
word's own vector averaged with its character n-grams' vectors, as fastText computes them.

gensim trusts the file: a truncated vocabulary makes it loop forever, and a header's sizes make it allocate
what they say. So the layout is walked here first (magic number and version, the arguments, the vocabulary,
the input matrix's shape against the bytes there are), and only a file that holds together is handed to gensim.
Supervised (classifier) and quantized (`.ftz`) models are refused with what to do instead.
"""

from __future__ import annotations

import logging
import mmap
import struct
from pathlib import Path

import numpy as np
import pyarrow as pa

from ...checks import as_float32, check_finite
from ...embedding import Embedding
from ...errors import FormatError
from .shared import show

log = logging.getLogger(__name__)

MAGIC = struct.pack("<i", 793712314)  # fastText's FILEFORMAT_MAGIC_INT32, the file's first 4 bytes
_ARGS = struct.Struct("<12id")  # dim, ws, epoch, min_count, neg, word_ngrams, loss, model, bucket, minn, maxn,
# lr_update_rate; t
_VOCAB = struct.Struct("<3i2q")  # size, nwords, nlabels; ntokens, pruneidx_size
_PRINT_VECTORS = (
    "write its word vectors as text with fastText itself (`fasttext print-word-vectors model.bin < words.txt > "
    "vectors.txt`) and read that as GloVe text (--format glove)"
)


def _check_layout(path: Path, data: bytes | mmap.mmap, errors: str) -> int:
    """Walk the file as gensim will read it; the number of words, or a FormatError saying what does not fit."""
    size = len(data)

    def truncated(what: str) -> FormatError:
        return FormatError(f"truncated fastText model: the file ends inside {what}", path=path, fix="copy it again")

    if size < 8 + _ARGS.size + _VOCAB.size:
        raise truncated("its header")
    args = _ARGS.unpack_from(data, 8)
    dim, bucket, minn, maxn = args[0], args[8], args[9], args[10]
    if dim < 1 or bucket < 0 or minn < 0 or maxn < 0:
        raise FormatError(
            f"impossible fastText arguments: dim {dim}, bucket {bucket}, minn {minn}, maxn {maxn}", path=path
        )
    words, nwords, nlabels, _, pruned = _VOCAB.unpack_from(data, 8 + _ARGS.size)
    if nlabels > 0 or words != nwords:
        raise FormatError(
            f"a supervised fastText model (a classifier with {nlabels:,} labels): gensim reads only the word vectors "
            "of unsupervised models (skipgram, cbow)",
            path=path,
            fix=_PRINT_VECTORS,
        )
    pos = 8 + _ARGS.size + _VOCAB.size
    if not 0 <= nwords <= (size - pos) // 10:  # a word takes at least 10 bytes: a character, NUL, count, type
        raise FormatError(f"the header says {nwords:,} words, more than the file can hold", path=path)
    for i in range(nwords):
        end = data.find(b"\x00", pos)
        if end < 0 or end + 10 > size:
            raise truncated(f"word {i + 1:,} of {nwords:,}")
        if errors == "strict":
            word = bytes(data[pos:end])
            try:
                word.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(
                    f"word {i + 1:,} {show(word)} is not UTF-8 (byte 0x{word[exc.start]:02x})",
                    path=path,
                    fix="read it with --unicode-errors replace (unicode_errors='replace'): gensim keeps such bytes "
                    "as \\xNN in the word",
                ) from None
        pos = end + 10
    pos += 8 * max(pruned, 0)
    if pos + 17 > size:
        raise truncated("the vocabulary's pruning index or the input matrix's header")
    if data[pos] or pruned > 0:
        raise FormatError("a quantized fastText model (.ftz)", path=path, fix=_PRINT_VECTORS)
    rows, cols = struct.unpack_from("<2q", data, pos + 1)
    if rows != nwords + bucket or cols != dim:
        raise FormatError(
            f"the input matrix is {rows:,} x {cols:,}; {nwords:,} words + {bucket:,} buckets x {dim} were expected",
            path=path,
        )
    if (size - pos - 17) // 4 < rows * cols:
        raise truncated(f"the {rows:,} x {cols:,} input matrix")
    return int(nwords)


def read_fasttext(path: Path, *, name: str | None = None, unicode_errors: str | None = None) -> Embedding:
    """The word vectors of a fastText `.bin` model, labelled by their words."""
    errors = unicode_errors or "strict"
    with path.open("rb") as fh:
        if fh.read(4) != MAGIC:
            raise FormatError(
                "not a fastText model: it does not start with fastText's magic number (2F4F16BA)",
                path=path,
                fix="name its format with --format (word2vec-binary, gensim, torch, ...)",
            )
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            words = _check_layout(path, data, errors)
    from gensim.models.fasttext import load_facebook_vectors

    try:
        with np.errstate(all="ignore"):  # a NaN or Inf in the file is reported below, by check_finite
            kv = load_facebook_vectors(str(path))
    except Exception as exc:  # gensim's own checks (asserts, struct errors): the file is damaged
        raise FormatError(
            f"gensim could not read this fastText model ({type(exc).__name__}: {exc})", path=path
        ) from None
    vectors = as_float32(np.asarray(kv.vectors))
    labels = [str(k) for k in kv.index_to_key]
    if len(labels) != words or len(vectors) != words:
        log.warning("%s: the file lists %d words, gensim read %d", path, words, len(labels))
    check_finite(vectors, path=path, labels=labels)
    metadata = pa.table({"label": pa.array(labels, type=pa.string())})
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return Embedding(
        vectors, name=name or stem, metadata=metadata, label_column="label", source=str(path), checked=True
    )
