"""Contingency sweeps (N-1, N-2): many transient runs of one hall, ranked worst first.

:mod:`~twin.sweeps.contingencies` lists the failures and turns them into
scenarios, :mod:`~twin.sweeps.outcome` runs one and measures it,
:mod:`~twin.sweeps.runner` spreads them over Dask workers and
:mod:`~twin.sweeps.summary` ranks, prints and saves the results.  Only the
runner imports Dask (lazily), so this package costs nothing to import.
"""

from twin.sweeps.contingencies import Contingency, Failure, contingencies, single_failures
from twin.sweeps.outcome import Outcome, run_contingency
from twin.sweeps.summary import rank, table, write_summary

__all__ = ["Contingency", "Failure", "Outcome", "contingencies", "rank", "run_contingency",
           "single_failures", "table", "write_summary"]
