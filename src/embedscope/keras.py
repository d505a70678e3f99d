"""`from embedscope.keras import EmbeddingLogger`: the Keras 3 callback, defined in train/keras_callback.py.

Importing this module imports keras (`pip install "embedscope[keras]"`); `import embedscope` does not.
"""

from .train.keras_callback import EmbeddingLogger

__all__ = ["EmbeddingLogger"]
