"""gmmviz's GaussianMixture inside scikit-learn's machinery, scikit-learn's being the reference.

Pipelines, ``GridSearchCV``/``cross_val_score`` with a BIC scorer, ``clone``, pickle and
``check_estimator``; errors and warnings caught as scikit-learn's; parameter messages word
for word; and scikit-learn never imported by gmmviz itself.
"""

from __future__ import annotations

import itertools
import pickle
import re
import subprocess
import sys
import textwrap
import warnings
from collections import Counter

import numpy as np
import pytest
import sklearn.exceptions
import sklearn.mixture
from scipy import linalg
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from gmmviz import GaussianMixture
from gmmviz.core import ConvergenceWarning, NotFittedError
from gmmviz.core._sklearn_compat import InvalidParameterError, flavoured


def _blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 1.0], [2.0, 7.0]])
    return np.concatenate([c + rng.normal(size=(60, 2)) for c in centres]) * [100.0, 0.01]


def test_scikit_learn_is_never_imported_by_gmmviz() -> None:
    code = textwrap.dedent(
        """
        import sys, warnings
        import numpy as np
        import gmmviz
        from gmmviz import GaussianMixture
        from gmmviz.core import NotFittedError, ConvergenceWarning
        X = np.random.default_rng(0).normal(size=(50, 2))
        try:
            GaussianMixture(2).predict(X)
        except NotFittedError:
            pass
        try:
            GaussianMixture("2").fit(X)
        except ValueError:
            pass
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            GaussianMixture(3, max_iter=1, random_state=0).fit(X)
        assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
        m = GaussianMixture(2, random_state=0).fit(X)
        m.predict_proba(X); m.score(X); m.bic(X); m.sample(3); repr(m); m.get_params()
        assert "sklearn" not in sys.modules, sorted(k for k in sys.modules if "sklearn" in k)
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pipeline_with_a_scaler() -> None:
    X = _blobs()
    ours = make_pipeline(StandardScaler(), GaussianMixture(3, random_state=0)).fit(X)
    ref = make_pipeline(StandardScaler(), sklearn.mixture.GaussianMixture(3, random_state=0))
    ref.fit(X)
    # k-means may number the components differently: same partition, same likelihood.
    assert adjusted_rand_score(ours.predict(X), ref.predict(X)) == 1.0
    np.testing.assert_allclose(ours.score(X), ref.score(X), rtol=1e-6)
    assert ours.predict_proba(X).shape == (X.shape[0], 3)


def _gallery_grid_search(GaussianMixture):
    """scikit-learn's ``examples/mixture/plot_gmm_selection.py``, plots and pandas left out.

    The model-selection code of that gallery example, with only the estimator class
    passed in instead of imported from ``sklearn.mixture``.
    """
    n_samples = 500
    np.random.seed(0)  # noqa: NPY002 - the example's code
    C = np.array([[0.0, -0.1], [1.7, 0.4]])
    component_1 = np.dot(np.random.randn(n_samples, 2), C)  # noqa: NPY002 - general
    component_2 = 0.7 * np.random.randn(n_samples, 2) + np.array([-4, 1])  # noqa: NPY002 - spherical
    X = np.concatenate([component_1, component_2])

    def gmm_bic_score(estimator, X):
        """Callable to pass to GridSearchCV that will use the BIC score."""
        # Make it negative since GridSearchCV expects a score to maximize
        return -estimator.bic(X)

    param_grid = {
        "n_components": range(1, 7),
        "covariance_type": ["spherical", "tied", "diag", "full"],
    }
    grid_search = GridSearchCV(GaussianMixture(), param_grid=param_grid, scoring=gmm_bic_score)
    grid_search.fit(X)

    color_iter = itertools.cycle(["darkorange", "C0"])
    Y_ = grid_search.predict(X)
    for i, (mean, cov, _color) in enumerate(
        zip(  # noqa: B905 - as in the example
            grid_search.best_estimator_.means_,
            grid_search.best_estimator_.covariances_,
            color_iter,
        )
    ):
        v, w = linalg.eigh(cov)
        if not np.any(Y_ == i):
            continue
        angle = np.arctan2(w[0][1], w[0][0])
        angle = 180.0 * angle / np.pi  # convert to degrees
        v = 2.0 * np.sqrt(2.0) * np.sqrt(v)
        assert np.all(np.isfinite(v)) and np.isfinite(angle) and mean.shape == (2,)
    return grid_search, X


def test_gallery_model_selection_with_grid_search_and_bic() -> None:
    ours, X = _gallery_grid_search(GaussianMixture)
    ref, _ = _gallery_grid_search(sklearn.mixture.GaussianMixture)
    assert ours.best_params_ == ref.best_params_ == {"covariance_type": "full", "n_components": 2}
    # The example leaves random_state=None: models with more components than blobs land
    # in run-dependent local optima, for scikit-learn against itself too. The selected
    # model's score is well defined.
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-4)
    assert len(ours.cv_results_["mean_test_score"]) == 24
    assert isinstance(ours.best_estimator_, GaussianMixture)
    assert adjusted_rand_score(ours.predict(X), ref.predict(X)) == 1.0


def test_cross_val_score_with_a_bic_scorer() -> None:
    X = _blobs()

    def bic_scorer(estimator, X, y=None):
        return -estimator.bic(X)

    # Shuffled folds: unshuffled, a fold misses a blob and the two k-means may find
    # different local optima (gmmviz's the better one) — an initialisation matter.
    folds = KFold(3, shuffle=True, random_state=0)
    ours = cross_val_score(GaussianMixture(3, random_state=0), X, scoring=bic_scorer, cv=folds)
    ref = cross_val_score(
        sklearn.mixture.GaussianMixture(3, random_state=0), X, scoring=bic_scorer, cv=folds
    )
    np.testing.assert_allclose(ours, ref, rtol=1e-4)  # EM stopped by tol from k-means starts


def test_clone_and_pickle() -> None:
    X = _blobs()
    model = GaussianMixture(3, covariance_type="diag", random_state=0, means_init=X[:3])
    fitted = clone(model).fit(X)
    copy = clone(fitted)
    assert not hasattr(copy, "means_")
    assert copy.get_params()["means_init"] is not model.means_init  # deep-copied, as sklearn
    np.testing.assert_array_equal(copy.get_params()["means_init"], X[:3])
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    assert restored.get_params().keys() == model.get_params().keys()


def test_set_params_as_scikit_learn() -> None:
    model = GaussianMixture()
    assert model.set_params() is model
    with pytest.raises(ValueError, match=r"Invalid parameter 'n_clusters' for estimator"):
        model.set_params(n_clusters=3)
    assert model.set_params(n_components=4, tol=1e-2).get_params()["n_components"] == 4


def _check_statuses(estimator) -> tuple[Counter, dict[str, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None, on_skip=None)
    statuses = Counter(r["status"] for r in results)
    problems = {r["check_name"]: repr(r["exception"]) for r in results if r["status"] != "passed"}
    return statuses, problems


def test_check_estimator_passes_what_scikit_learns_own_passes() -> None:
    ours, our_problems = _check_statuses(GaussianMixture(n_init=2, max_iter=5))
    ref, ref_problems = _check_statuses(sklearn.mixture.GaussianMixture(n_init=2, max_iter=5))
    assert "failed" not in ours, our_problems
    assert ours == ref
    assert our_problems.keys() == ref_problems.keys()  # only check_array_api_input is skipped


def test_not_fitted_error_caught_as_both() -> None:
    X = _blobs()
    with pytest.raises(sklearn.exceptions.NotFittedError, match="is not fitted yet"):
        GaussianMixture().predict(X)
    with pytest.raises(NotFittedError):
        GaussianMixture().predict(X)
    try:
        GaussianMixture().score_samples(X)
    except sklearn.exceptions.NotFittedError as exc:
        again = pickle.loads(pickle.dumps(exc))
        assert isinstance(again, NotFittedError) and str(again) == str(exc)


def test_convergence_warning_seen_as_both() -> None:
    X = _blobs()
    with pytest.warns(sklearn.exceptions.ConvergenceWarning, match="did not converge"):
        GaussianMixture(3, max_iter=1, random_state=0).fit(X)
    with pytest.warns(ConvergenceWarning):
        GaussianMixture(3, max_iter=1, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=sklearn.exceptions.ConvergenceWarning)
        GaussianMixture(3, max_iter=1, random_state=0).fit(X)


def test_combined_classes_are_made_once() -> None:
    for cls in (NotFittedError, ConvergenceWarning, InvalidParameterError):
        assert flavoured(cls) is flavoured(cls)
        assert issubclass(flavoured(cls), cls)
    assert issubclass(
        flavoured(InvalidParameterError), sklearn.utils._param_validation.InvalidParameterError
    )


BAD_PARAMETERS = [
    ("n_components", "3"),
    ("n_components", 0),
    ("n_components", 1.5),
    ("tol", -1.0),
    ("tol", "a"),
    ("reg_covar", -1e-3),
    ("max_iter", -1),
    ("max_iter", 1.0),
    ("n_init", 0),
    ("init_params", "nearest"),
    ("random_state", "x"),
    ("random_state", -1),
    ("warm_start", "yes"),
    ("warm_start", 1),
    ("verbose", -1),
    ("verbose_interval", 0),
    ("covariance_type", "banana"),
    ("weights_init", "x"),
    ("means_init", 3),
    ("precisions_init", 1.0),
]


def _normalise_options(message: str) -> str:
    # A set's order in scikit-learn's message follows string hashing: compare sorted.
    return re.sub(
        r"\{([^}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message
    )


@pytest.mark.parametrize(("name", "value"), BAD_PARAMETERS)
def test_parameter_messages_are_scikit_learns(name: str, value) -> None:
    X = _blobs()
    with pytest.raises(sklearn.utils._param_validation.InvalidParameterError) as ref:
        sklearn.mixture.GaussianMixture(**{name: value}).fit(X)
    with pytest.raises(sklearn.utils._param_validation.InvalidParameterError) as ours:
        GaussianMixture(**{name: value}).fit(X)
    assert isinstance(ours.value, InvalidParameterError)
    assert _normalise_options(str(ours.value)) == _normalise_options(str(ref.value))


def test_n_components_as_a_string_names_the_parameter() -> None:
    message = (
        "The 'n_components' parameter of GaussianMixture must be an int in the range "
        "[1, inf). Got '3' instead."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        GaussianMixture(n_components="3").fit(_blobs())


def test_backend_is_checked_too() -> None:
    with pytest.raises(ValueError, match=r"'backend' parameter .* Got 'cuda' instead"):
        GaussianMixture(backend="cuda").fit(_blobs())
