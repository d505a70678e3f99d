"""A tiny CLIP-type sentence-transformers model, randomly initialised and built on the fly (no download): the
architecture, processor and file layout of a real one (clip-ViT-B-32), its weights meaningless but fixed."""

from __future__ import annotations

import json
import warnings
from pathlib import Path


def tiny_clip(root: Path) -> Path:
    """Build the model under `root` and return the folder of its sentence-transformers save."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    hf = root / "hf"
    hf.mkdir(parents=True)
    torch.manual_seed(0)
    small = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2}
    config = CLIPConfig(
        text_config={**small, "vocab_size": 64, "max_position_embeddings": 32},
        vision_config={**small, "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )
    CLIPModel(config).save_pretrained(hf)
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in "abcdefghijklmnopqrstuvwxyz":  # a character-level BPE vocabulary, no merges
        vocab[c] = len(vocab)
        vocab[c + "</w>"] = len(vocab)
    (hf / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (hf / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tokenizer = CLIPTokenizer(str(hf / "vocab.json"), str(hf / "merges.txt"))
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(hf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sentence-transformers 6 calls its CLIPModel module deprecated
        from sentence_transformers.models import CLIPModel as ClipModule

        model = SentenceTransformer(modules=[ClipModule(str(hf))])
    out = root / "tiny-clip"
    model.save(str(out))
    return out
