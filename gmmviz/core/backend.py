"""One policy for the compiled kernels: which backend runs, and when numba is ready.

Every compiled module (``core/_kernels/*`` and the raster kernels of the display) imports
numba through here and asks :func:`numba_ready` / :func:`resolve_backend` before launching
a kernel, so that one switch governs them all:

* ``GMMVIZ_BACKEND=numpy`` in the environment forces the numpy paths everywhere;
* while :func:`start_warm_up` is compiling (or loading numba's cache) the numpy paths
  serve, so that nobody waits for the compiler; both give the same numbers to rounding;
* numba's default threading layer must not run two parallel kernels at once, so every
  launch holds :data:`KERNEL_LOCK`.

Compiled modules register a small function that calls each of their kernels once with
:func:`register_warm_up` at import time; :func:`start_warm_up` runs them all on one thread.
numba itself is imported on first use, not with this module (it costs ~0.3 s at app start):
``njit`` here is a lazy decorator that makes the real numba dispatcher when a kernel is first
called (usually on the warm-up thread). This module imports nothing from gmmviz: it sits
below every kernel.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import threading
from collections.abc import Callable

_HAVE_NUMBA = importlib.util.find_spec("numba") is not None
_numba_module = None
_materialise_lock = threading.RLock()


def _import_numba():
    """Import numba (once) and teach it to type a lazy kernel as its dispatcher."""
    global _numba_module
    with _materialise_lock:
        if _numba_module is None:
            import numba as module
            from numba.core.typing.typeof import typeof_impl

            @typeof_impl.register(_LazyKernel)
            def _typeof_lazy(value, context):  # a kernel read as a module attribute
                return typeof_impl(value.dispatcher(), context)

            _numba_module = module
    return _numba_module


class _LazyKernel:
    """A function to be compiled with ``numba.njit(**options)`` when first called.

    On first use every lazy kernel and ``prange`` named in the function's module become the
    real numba objects, so that kernels calling kernels compile as if decorated eagerly.
    """

    def __init__(self, fn: Callable, options: dict) -> None:
        self.py_func = fn
        self._options = options
        self._dispatcher = None
        functools.update_wrapper(self, fn)

    def dispatcher(self):
        """The numba dispatcher (made on first use; compiling happens at its first call)."""
        if self._dispatcher is None:
            numba_module = _import_numba()
            with _materialise_lock:
                if self._dispatcher is None:
                    self._dispatcher = numba_module.njit(**self._options)(self.py_func)
                    _materialise_module(self.py_func.__globals__)
        return self._dispatcher

    def __call__(self, *args):
        return self.dispatcher()(*args)


class _LazyIntrinsic:
    """A numba ``@intrinsic`` made by ``build()`` once numba is imported (see
    :func:`lazy_intrinsic`)."""

    def __init__(self, build: Callable) -> None:
        self._build = build
        self._made = None

    def made(self):
        """The real intrinsic (built on first use)."""
        with _materialise_lock:
            if self._made is None:
                _import_numba()
                self._made = self._build()
        return self._made


def lazy_intrinsic(build: Callable) -> _LazyIntrinsic:
    """An intrinsic for kernels, built by ``build()`` (which may import numba) on first use.

    Like :func:`njit` it costs nothing at import: a kernel module holds the lazy object as a
    global, and it becomes the real intrinsic when the module's first kernel is compiled.
    """
    return _LazyIntrinsic(build)


def _materialise_module(module_globals: dict) -> None:
    numba_module = _import_numba()
    if module_globals.get("prange") is range:
        module_globals["prange"] = numba_module.prange
    for name, value in list(module_globals.items()):
        if isinstance(value, _LazyIntrinsic):
            module_globals[name] = value.made()
    for name, value in list(module_globals.items()):
        if isinstance(value, _LazyKernel):
            module_globals[name] = value.dispatcher()


def _lazy_njit(*args, **options):
    """``numba.njit`` deferred to first use; as a decorator with or without options."""
    if args and callable(args[0]):
        return _LazyKernel(args[0], {})
    return lambda fn: _LazyKernel(fn, options)


njit = _lazy_njit if _HAVE_NUMBA else None
# Inside kernels ``prange`` is swapped for numba's when their module is compiled.
prange = range


def numba_module():
    """The numba module, imported on first call (None where numba is not installed)."""
    return _import_numba() if _HAVE_NUMBA else None


def __getattr__(name: str):
    if name == "numba":  # the module, imported on demand (None where not installed)
        return _import_numba() if _HAVE_NUMBA else None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BACKENDS",
    "ENV_VAR",
    "KERNEL_LOCK",
    "default_backend",
    "lazy_intrinsic",
    "njit",
    "numba_module",
    "numba_ready",
    "prange",
    "register_warm_up",
    "resolve_backend",
    "start_warm_up",
    "warm_up_done",
    "warm_up_started",
]

BACKENDS: tuple[str, ...] = ("numba", "numpy")
#: Environment variable naming the backend (``numpy`` forces the numpy paths).
ENV_VAR = "GMMVIZ_BACKEND"

# numba's default threading layer must not run two parallel kernels at once (from the UI
# thread and the EM worker, say); callers take this lock around every launch.
KERNEL_LOCK = threading.Lock()

_warm_ups: list[Callable[[], None]] = []
_warm_up_done = threading.Event()
_warm_up_thread: threading.Thread | None = None


def register_warm_up(fn: Callable[[], None], first: bool = False) -> Callable[[], None]:
    """Add ``fn`` (no arguments; runs every kernel of a module once) to the warm-up.

    Usable as a decorator. Register at import time: functions added after
    :func:`start_warm_up` began are not run by it. ``first`` puts ``fn`` before those
    already registered.
    """
    if first:
        _warm_ups.insert(0, fn)
    else:
        _warm_ups.append(fn)
    return fn


def start_warm_up() -> None:
    """Compile (or load from numba's cache) every registered kernel on one background thread.

    For interactive use: a first compile takes seconds, and until it is done the default
    backend is numpy. Calling it again does nothing. The interpreter waits for a compile in
    progress at exit rather than killing it half-way.
    """
    global _warm_up_thread
    if not _HAVE_NUMBA or _warm_up_thread is not None:
        return
    _warm_up_thread = threading.Thread(target=_warm_up, name="gmmviz-numba-warm-up", daemon=True)
    _warm_up_thread.start()
    atexit.register(_warm_up_thread.join)


def _warm_up() -> None:
    try:
        for fn in list(_warm_ups):
            fn()
    finally:
        _warm_up_done.set()


def warm_up_started() -> bool:
    """Whether :func:`start_warm_up` ran in this process (the app does; a script using the
    library does not): kernels first needed later are then compiled in the background too,
    while a general one serves."""
    return _warm_up_thread is not None


def warm_up_done() -> bool:
    """Whether :func:`start_warm_up` has finished (False if it was never started)."""
    return _warm_up_done.is_set()


def join_warm_up(timeout: float | None = None) -> None:
    """Wait for a warm-up in progress (for tests and scripts); returns at once if none."""
    if _warm_up_thread is not None:
        _warm_up_thread.join(timeout)


def _forced_numpy() -> bool:
    return os.environ.get(ENV_VAR, "").strip().lower() == "numpy"


def numba_ready() -> bool:
    """numba may run now: it is installed, not switched off by ``GMMVIZ_BACKEND=numpy``,
    and no warm-up is still compiling."""
    if not _HAVE_NUMBA or _forced_numpy():
        return False
    return _warm_up_thread is None or _warm_up_done.is_set()


def default_backend() -> str:
    """The backend used when none is asked for: ``numba`` when :func:`numba_ready`."""
    return "numba" if numba_ready() else "numpy"


def resolve_backend(backend: str | None) -> str:
    """Validate a backend name (``None`` means :func:`default_backend`).

    An explicit ``"numba"`` falls back to ``"numpy"`` only where numba is missing.
    """
    if backend is None:
        return default_backend()
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    if backend == "numba" and not _HAVE_NUMBA:
        return "numpy"
    return backend
