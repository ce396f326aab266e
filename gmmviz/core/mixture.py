"""``GaussianMixture``: a drop-in for scikit-learn's estimator that can also be watched.

Same constructor, fitted attributes, methods and iteration semantics as
``sklearn.mixture.GaussianMixture``; the per-iteration work runs in the fused kernels of
:mod:`gmmviz.core._kernels.estep`. :meth:`GaussianMixture.iter_fit` yields one :class:`EMStep`
per iteration for the app.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

from gmmviz.core import distributed
from gmmviz.core._far_points import responsibilities_from_log_prob
from gmmviz.core._kernels.estep import log_sum_exp_rows
from gmmviz.core._sklearn_compat import (
    ConvergenceWarning,
    NotFittedError,
    SklearnCompatMixin,
    check_data,
    check_initial_arrays,
    flavoured,
    validate_params,
)
from gmmviz.core.em import (
    EMStep,
    MixtureParams,
    as_data,
    iter_em,
    log_prob_matrix,
)
from gmmviz.core.gaussian import n_parameters, precisions_from_cholesky
from gmmviz.core.init import check_random_state, initialise
from gmmviz.core.restarts import iter_restarts
from gmmviz.core.sampling import sample

__all__ = ["ConvergenceWarning", "GaussianMixture", "NotFittedError"]


class GaussianMixture(SklearnCompatMixin):
    """Gaussian mixture fitted by EM — scikit-learn's ``GaussianMixture`` API, faster.

    Parameters
    ----------
    n_components : int, default=1
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
    tol : float, default=1e-3
        Convergence threshold on the change of the mean log-likelihood.
    reg_covar : float, default=1e-6
        Non-negative regularisation added to the diagonal of covariances.
    max_iter : int, default=100
    n_init : int, default=1
        Number of initialisations; the one with the largest final lower bound is kept.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default='kmeans'
    weights_init : array-like of shape (K,), optional
    means_init : array-like of shape (K, d), optional
    precisions_init : array-like, optional
        Shape as the covariances of ``covariance_type``.
    random_state : int, RandomState or None
    warm_start : bool, default=False
        Start from the last fit's parameters (and run one initialisation).
    verbose : int, default=0
    verbose_interval : int, default=10
    backend : {'numba', 'numpy'} or None
        Kernel implementation; ``None`` picks numba when available. Not in scikit-learn.

    Attributes
    ----------
    weights_ : ndarray of shape (K,)
    means_ : ndarray of shape (K, d)
    covariances_ : ndarray (shape per covariance type)
    precisions_ : ndarray
    precisions_cholesky_ : ndarray
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Mean log-likelihood evaluated in the last E-step of the best initialisation (of
        the parameters one M-step before the final ones), as in scikit-learn.
    lower_bounds_ : list of float
        ``lower_bound_`` at each iteration of the best initialisation.
    n_features_in_ : int
    """

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        backend: str | None = None,
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.backend = backend

    # ---------------------------------------------------------------- validation

    def _check_fitted(self) -> None:
        if not hasattr(self, "precisions_cholesky_"):
            raise flavoured(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def _check_X_fitted(self, X) -> np.ndarray:
        self._check_fitted()
        X = as_data(check_data(X, type(self).__name__))
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X

    def _check_fit_data(self, X) -> np.ndarray:
        validate_params(self)
        X = as_data(check_data(X, type(self).__name__, min_samples=2), min_samples=2)
        if X.shape[0] < self.n_components:
            raise ValueError(
                "Expected n_samples >= n_components but got "
                f"n_components = {self.n_components}, n_samples = {X.shape[0]}"
            )
        check_initial_arrays(self, self.n_components, X.shape[1], self.covariance_type)
        fitted = getattr(self, "n_features_in_", X.shape[1])
        if self.warm_start and hasattr(self, "converged_") and X.shape[1] != fitted:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{fitted} features as input: a warm_start fit continues from the fitted "
                "parameters; set warm_start=False to fit data with another number of features."
            )
        return X

    # ---------------------------------------------------------------- parameters

    @property
    def params_(self) -> MixtureParams:
        """The fitted parameters as an immutable :class:`MixtureParams`."""
        self._check_fitted()
        return MixtureParams.from_covariances(
            self.weights_,
            self.means_,
            self.covariances_,
            self.covariance_type,
            self.precisions_cholesky_,
        )

    def _set_params_from(self, params: MixtureParams) -> None:
        self.weights_ = np.array(params.weights)
        self.means_ = np.array(params.means)
        self.covariances_ = np.array(params.covariances)
        self.precisions_cholesky_ = np.array(params.precisions_cholesky)
        self.precisions_ = precisions_from_cholesky(self.precisions_cholesky_, self.covariance_type)

    @classmethod
    def from_params(
        cls,
        params: MixtureParams,
        *,
        n_iter: int = 0,
        converged: bool = False,
        lower_bound: float = -math.inf,
        lower_bounds: list[float] | None = None,
        n_features_in: int | None = None,
        **kwargs,
    ) -> GaussianMixture:
        """A fitted model holding ``params`` (e.g. a snapshot shown in the app).

        ``kwargs`` are constructor parameters; ``n_components`` and ``covariance_type``
        come from ``params``. ``n_iter``, ``converged``, ``lower_bound`` and
        ``lower_bounds`` fill the fitted attributes of the same names (with a trailing
        underscore); the old keywords ``n_iter_``, ``converged_`` and ``lower_bound_`` are
        accepted too.
        """
        n_iter = kwargs.pop("n_iter_", n_iter)
        converged = kwargs.pop("converged_", converged)
        lower_bound = kwargs.pop("lower_bound_", lower_bound)
        model = cls(
            n_components=params.n_components, covariance_type=params.covariance_type, **kwargs
        )
        model._set_params_from(params)
        model.converged_ = bool(converged)
        model.n_iter_ = int(n_iter)
        model.lower_bound_ = float(lower_bound)
        model.lower_bounds_ = [float(v) for v in (lower_bounds or [])]
        model.n_features_in_ = params.n_features if n_features_in is None else n_features_in
        return model

    @classmethod
    def from_steps(cls, steps: Sequence[EMStep], **kwargs) -> GaussianMixture:
        """The model ``fit`` gives, from the snapshots of one run (``iter_em``'s, in order).

        The last snapshot gives the parameters, ``n_iter_`` and ``converged_``;
        ``lower_bounds_`` are the log-likelihoods of every snapshot but the last and
        ``lower_bound_`` the last of them (scikit-learn evaluates each iteration's
        parameters *before* its M-step). For a run stopped early (the app paused it) the
        same rule gives the model of a fit with ``max_iter`` at that iteration.
        Half-step snapshots are accepted: only ``'init'``/``'EM'``/``'E'`` values count.

        Parameters
        ----------
        steps : sequence of EMStep
            One run, iteration 0 first.
        **kwargs
            Constructor parameters (``tol``, ``max_iter``, ...).
        """
        if not steps:
            raise ValueError("from_steps needs at least one snapshot")
        last = steps[-1]
        by_iteration: dict[int, float] = {}
        for step in steps:
            if step.phase in ("init", "EM", "E") and not math.isnan(step.log_likelihood):
                by_iteration[step.iteration] = step.log_likelihood
        lower_bounds = [by_iteration[i] for i in range(last.iteration) if i in by_iteration]
        return cls.from_params(
            last.params,
            n_iter=last.iteration,
            converged=last.converged,
            lower_bound=lower_bounds[-1] if lower_bounds else -math.inf,
            lower_bounds=lower_bounds,
            **kwargs,
        )

    def _initialise(self, X: np.ndarray, random_state: np.random.RandomState) -> MixtureParams:
        """Parameters before the first EM iteration (scikit-learn's ``_initialize``)."""
        return initialise(
            X,
            self.n_components,
            covariance_type=self.covariance_type,
            init_params=self.init_params,
            reg_covar=self.reg_covar,
            random_state=random_state,
            weights_init=self.weights_init,
            means_init=self.means_init,
            precisions_init=self.precisions_init,
            backend=self.backend,
        )

    # ---------------------------------------------------------------- fitting

    def fit(self, X, y=None) -> GaussianMixture:
        """Estimate the parameters with EM (``n_init`` runs, the best kept).

        ``X`` may be a ``dask.array`` (E-steps on its blocks, the start from a sample of
        rows): see :mod:`gmmviz.core.distributed`.
        """
        self._fit(X)
        return self

    def fit_predict(self, X, y=None) -> np.ndarray:
        """Fit, then the label of each point under the final parameters; shape (N,)."""
        X = self._fit(X)
        return self.predict(X)

    def _fit(self, X) -> np.ndarray:
        if distributed.is_dask_array(X):
            distributed.fit_dask(self, X)
            return X
        X = self._check_fit_data(X)
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        em_options = dict(
            tol=self.tol,
            reg_covar=self.reg_covar,
            max_iter=self.max_iter,
            backend=self.backend,
            evaluate_last=False,  # scikit-learn's cost: the final parameters go unevaluated
        )
        if do_init:
            steps: Iterator[EMStep] = iter_restarts(
                X,
                self.n_components,
                n_init=self.n_init,
                covariance_type=self.covariance_type,
                init_params=self.init_params,
                random_state=self.random_state,
                weights_init=self.weights_init,
                means_init=self.means_init,
                precisions_init=self.precisions_init,
                **em_options,
            )
        else:
            steps = iter_em(X, self.params_, previous_lower_bound=self.lower_bound_, **em_options)
        models = []
        for run in _runs(steps):
            if self.verbose:
                print(f"Initialization {run[0].restart}")
                self._report(run)
            models.append(GaussianMixture.from_steps(run))
        self._adopt_best(models, X.shape[1], keep_bound=self.max_iter == 0 and not do_init)
        return X

    def _adopt_best(self, models: list, n_features: int, keep_bound: bool = False) -> None:
        """Take the fitted attributes of the run with the highest lower bound (scikit-learn's
        rule, the first on ties), warning when it did not converge. ``keep_bound``: a
        ``max_iter=0`` warm start keeps the lower bound it had."""
        best = None
        for model in models:
            if keep_bound:
                model.lower_bound_ = self.lower_bound_
            if (
                best is None
                or model.lower_bound_ > best.lower_bound_
                or best.lower_bound_ == -math.inf
            ):
                best = model
        if not best.converged_ and self.max_iter > 0:
            warnings.warn(
                "Best performing initialization did not converge. Try different init "
                "parameters, or increase max_iter, tol, or check for degenerate data.",
                flavoured(ConvergenceWarning),
                stacklevel=4,
            )
        self._set_params_from(best.params_)
        self.converged_ = best.converged_
        self.n_iter_ = best.n_iter_
        self.lower_bound_ = best.lower_bound_
        self.lower_bounds_ = best.lower_bounds_
        self.n_features_in_ = n_features

    def _report(self, run: list[EMStep]) -> None:
        """scikit-learn's verbose lines for one finished initialisation."""
        bounds = GaussianMixture.from_steps(run).lower_bounds_
        if self.verbose >= 2:
            previous = -math.inf
            for n_iter, bound in enumerate(bounds, start=1):
                if n_iter % self.verbose_interval == 0:
                    print(f"  Iteration {n_iter}\t ll change {bound - previous:.5g}")
                previous = bound
        state = "converged" if run[-1].converged else "did not converge"
        print(f"Initialization {state}. lower bound {bounds[-1] if bounds else -math.inf:.5f}")

    def iter_fit(self, X) -> Iterator[EMStep]:
        """Fit one initialisation while yielding an :class:`EMStep` per iteration.

        The model is updated after every step, so stopping early (``break`` or ``close()``)
        leaves a usable model: :meth:`from_steps` of the snapshots so far. With
        ``warm_start`` and a fitted model, EM continues from the current parameters. Run
        to the end, the model equals :meth:`fit`'s with ``n_init=1``.
        """
        X = self._check_fit_data(X)
        previous = -math.inf
        if self.warm_start and hasattr(self, "converged_"):
            initial, previous = self.params_, self.lower_bound_
        else:
            initial = self._initialise(X, check_random_state(self.random_state))
        self.n_features_in_ = X.shape[1]
        steps = iter_em(
            X,
            initial,
            tol=self.tol,
            reg_covar=self.reg_covar,
            max_iter=self.max_iter,
            backend=self.backend,
            previous_lower_bound=previous,
        )
        seen: list[EMStep] = []
        for step in steps:
            seen.append(step)
            model = GaussianMixture.from_steps(seen)
            self._set_params_from(step.params)
            self.n_iter_ = model.n_iter_
            self.lower_bound_ = model.lower_bound_
            self.lower_bounds_ = model.lower_bounds_
            self.converged_ = model.converged_
            yield step

    # ---------------------------------------------------------------- inference

    def _weighted_log_prob(self, X: np.ndarray) -> np.ndarray:
        return log_prob_matrix(X, self.params_, self.backend)

    def score_samples(self, X) -> np.ndarray:
        """Log of the mixture density at each point; shape (N,). Lazy for a Dask array."""
        if distributed.is_dask_array(X):
            return distributed.predict_dask(self, X, "score_samples")
        X = self._check_X_fitted(X)
        return log_sum_exp_rows(self._weighted_log_prob(X))

    def score(self, X, y=None) -> float:
        """Mean per-sample log-likelihood of ``X``."""
        return float(self.score_samples(X).mean())

    def predict(self, X) -> np.ndarray:
        """Most probable component of each point; shape (N,). Lazy for a Dask array."""
        if distributed.is_dask_array(X):
            return distributed.predict_dask(self, X, "predict")
        X = self._check_X_fitted(X)
        wlp = self._weighted_log_prob(X)
        labels = wlp.argmax(axis=1)
        lost = ~np.isfinite(wlp.max(axis=1))
        if lost.any():  # every density underflowed: the nearest component, as predict_proba
            labels[lost] = self._responsibilities(X[lost], wlp[lost]).argmax(axis=1)
        return labels

    def predict_proba(self, X) -> np.ndarray:
        """Responsibilities; shape (N, K), rows summing to one, never NaN.

        Computed in log space; a point where every component's density underflows (far
        from all of them, or subnormal covariances) goes to the nearest component in
        Mahalanobis distance, the limit of the exact posterior. Lazy for a Dask array.
        """
        if distributed.is_dask_array(X):
            return distributed.predict_dask(self, X, "predict_proba")
        X = self._check_X_fitted(X)
        return self._responsibilities(X, self._weighted_log_prob(X))

    def _responsibilities(self, X: np.ndarray, wlp: np.ndarray) -> np.ndarray:
        means, prec_chol, _ = self.params_.kernel_inputs()
        with np.errstate(divide="ignore", invalid="ignore"):  # rows of -inf: handled there
            log_norm_rows = log_sum_exp_rows(wlp)
        return responsibilities_from_log_prob(X, wlp, log_norm_rows, means, prec_chol)

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw points from the fitted mixture (same random stream as scikit-learn).

        Returns
        -------
        X : ndarray of shape (n_samples, d)
        y : ndarray of shape (n_samples,)
            The component each point came from.
        """
        self._check_fitted()
        if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples!r} . The sampling requires at "
                "least one sample."
            )
        return sample(self.params_, n_samples, check_random_state(self.random_state))

    def _n_parameters(self) -> int:
        return n_parameters(self.covariance_type, self.n_components, self.means_.shape[1])

    def bic(self, X) -> float:
        """Bayesian information criterion on ``X`` (lower is better)."""
        X = self._check_X_fitted(X)
        return -2 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0])

    def aic(self, X) -> float:
        """Akaike information criterion on ``X`` (lower is better)."""
        X = self._check_X_fitted(X)
        return -2 * self.score(X) * X.shape[0] + 2 * self._n_parameters()


def _runs(steps: Iterator[EMStep]) -> Iterator[list[EMStep]]:
    """Group a stream of snapshots into runs (a run starts at each iteration-0 snapshot)."""
    run: list[EMStep] = []
    for step in steps:
        if step.iteration == 0 and step.phase == "init" and run:
            yield run
            run = []
        run.append(step)
    if run:
        yield run
