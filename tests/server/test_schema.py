"""schemathesis against the OpenAPI schema: no 5xx, no response that breaks the schema (bounded: small examples)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from embedscope.embedding import Collection, Embedding
from embedscope.server.app import make_app
from embedscope.server.state import ServerSettings

_tmp = Path(tempfile.mkdtemp(prefix="embedscope-schema-"))
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)


def _collection() -> Collection:
    rng = np.random.default_rng(0)
    labels = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]
    meta = pa.table({"label": labels, "group": ["a", "b", "c"] * 4, "value": np.linspace(0, 1, 12)})
    data = Collection(source="schema-test")
    data.add(".", Embedding(rng.normal(size=(12, 5)).astype(np.float32), name="words", metadata=meta))
    data.add("second", Embedding(rng.normal(size=(6, 3)).astype(np.float32), name="plain"))
    return data


app = make_app(_collection(), ServerSettings(state_dir=_tmp / "state", cache_dir=_tmp / "cache"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_api(case) -> None:
    # positive_data_acceptance is left out: whether a schema-valid request can succeed depends on the data
    # (k <= N - 1, row ids < N, D numbers in a vector, a metadata file with N rows), which no static schema says.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def teardown_module() -> None:
    app.state.embedscope.close()  # stop projection jobs schemathesis started
