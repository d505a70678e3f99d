"""Training and evaluating word embeddings: corpus -> vocabulary -> word2vec (gensim) -> Embedding -> scores."""

from .corpus import Corpus, Tokenizer
from .evaluate import AnalogyScores, SimilarityScores, evaluate_analogies, evaluate_similarity
from .vocabulary import Vocabulary
from .word2vec import EpochReport, TrainingProgress, Word2VecParams, train, train_word2vec

__all__ = [
    "AnalogyScores",
    "Corpus",
    "EpochReport",
    "SimilarityScores",
    "Tokenizer",
    "TrainingProgress",
    "Vocabulary",
    "Word2VecParams",
    "evaluate_analogies",
    "evaluate_similarity",
    "train",
    "train_word2vec",
]
