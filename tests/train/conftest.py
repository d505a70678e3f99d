"""gensim's own test data: lee_background.cor (a 60,000-word corpus), questions-words.txt, wordsim353.tsv."""

from pathlib import Path

import pytest

gensim = pytest.importorskip("gensim", reason="training needs gensim")

TEST_DATA = Path(gensim.__file__).parent / "test" / "test_data"


@pytest.fixture(scope="session")
def lee() -> Path:
    return TEST_DATA / "lee_background.cor"


@pytest.fixture(scope="session")
def questions() -> Path:
    return TEST_DATA / "questions-words.txt"


@pytest.fixture(scope="session")
def wordsim() -> Path:
    return TEST_DATA / "wordsim353.tsv"
