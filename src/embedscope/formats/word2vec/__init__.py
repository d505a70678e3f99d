"""word2vec text and binary, GloVe and fastText .vec: sniffed, read and written (files.py); text.py and binary.py
read each layout, shared.py holds what they share; fasttext_bin.py reads fastText .bin models and
gensim_native.py gensim's own saved files (.kv, .model), both through gensim."""

from .files import read, read_word2vec, sniff_variant, write

__all__ = ["read", "read_word2vec", "sniff_variant", "write"]
