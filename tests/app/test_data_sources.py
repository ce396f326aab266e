"""Data sources come off the worker with what the GUI thread would otherwise compute."""

from __future__ import annotations

import numpy as np

from gmmviz.app.runs import generate_source, load_source
from gmmviz.core.datasets import DatasetSpec


def test_generated_and_loaded_sources_carry_their_class_count(tmp_path, monkeypatch):
    generated = generate_source(DatasetSpec("blobs", 300, None, 0))
    path = tmp_path / "p.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{i},{i % 7},{i % 4}" for i in range(40)))
    loaded = load_source(path)
    # computed once, on the worker that made the source: the GUI thread never sorts labels
    monkeypatch.setattr(np, "unique", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    assert generated.n_classes == 3
    assert loaded.n_classes == 4
