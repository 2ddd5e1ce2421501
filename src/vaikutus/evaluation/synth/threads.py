"""Run the many tiny dense solves of a synthetic-control fit on one BLAS thread.

The weight problems are a few dozen numbers wide; multithreaded OpenBLAS spends longer waking
its threads than computing, and on a shared machine it was 3-5 times slower than one thread
(L-BFGS-B's own BLAS calls included). Fits, placebo sets and conformal grids therefore run
inside this context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    with threadpool_limits(limits=1, user_api="blas"):
        yield
