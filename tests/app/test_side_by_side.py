"""The four covariance types side by side equal four separate runs from the same start."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz.app.runs import em_run
from gmmviz.app.settings import ModelSettings
from gmmviz.app.side_by_side import side_by_side_run
from gmmviz.core.datasets import DatasetSpec, generate
from gmmviz.core.gaussian import COVARIANCE_TYPES


@pytest.mark.parametrize("init", ["kmeans", "random_from_data"])
def test_the_four_runs_are_the_separate_runs(init):
    X, _ = generate(DatasetSpec("anisotropic", 600, 1.0, 0))
    settings = ModelSettings(3, "full", init, seed=4)
    together = list(side_by_side_run(X, settings))
    for i, covariance_type in enumerate(COVARIANCE_TYPES):
        alone = list(em_run(X, ModelSettings(**{**settings.to_dict(),
                                                "covariance_type": covariance_type})))  # fmt: skip
        column = [frame[i] for frame in together]
        # the run's own snapshots, then its last one repeated while the others go on
        assert [s.iteration for s in column[: len(alone)]] == [s.iteration for s in alone]
        assert all(s is column[len(alone) - 1] for s in column[len(alone) - 1 :])
        for a, b in zip(column, alone, strict=False):
            np.testing.assert_array_equal(a.params.means, b.params.means)
            np.testing.assert_array_equal(a.params.covariances, b.params.covariances)
    # the same start: every type's first means are the same points
    first = together[0]
    for step in first[1:]:
        np.testing.assert_array_equal(step.params.means, first[0].params.means)
