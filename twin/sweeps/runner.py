"""Run contingencies on Dask: an embedded local cluster, or a scheduler by address.

One task per contingency (:func:`twin.sweeps.outcome.run_contingency`),
submitted at once; results stream back in the order they finish.  A task
whose worker dies is given to another worker by the scheduler (it counts
against ``distributed.scheduler.allowed-failures``, three by default); a task
that raises is retried ``retries`` times, and if it still fails its row is
marked ``failed`` rather than losing the whole sweep.

Dask is imported only here and in the ``sweep`` command, so the rest of
HallTwin (and ``halltwin --version``) never pays for it.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

from twin.files import to_document
from twin.model.layout import Layout
from twin.sweeps.contingencies import Contingency
from twin.sweeps.outcome import Outcome, run_contingency

#: Times a task that raised is run again before its row is marked failed.
RETRIES = 2


def run_file_name(contingency_id: str) -> str:
    """A file name for a contingency's run file (ids may hold ``+`` and other signs)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", contingency_id) + ".h5"


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int = 2) -> Iterator:
    """A Dask client: to ``scheduler`` (``tcp://HOST:PORT``), or to a local cluster
    of ``workers`` single-threaded processes that lives as long as the block.

    Raises
    ------
    OSError
        The scheduler cannot be reached (within the connect timeout).
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler, timeout="10s") as client:
            yield client
        return
    # Processes, one thread each: the engine holds the GIL in its Python parts,
    # and a dying task then takes only its own process down.  Loopback only and
    # no dashboard: a laptop sweep opens no port to the network.
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def run_sweep(client, layout: Layout, contingencies: Sequence[Contingency],
              options: dict | None = None, keep_runs: str | Path | None = None,
              on_result: Callable[[dict, int, int], None] | None = None) -> list[dict]:
    """Run every contingency on the client's cluster; return one row per contingency.

    Parameters
    ----------
    client : distributed.Client
    layout : Layout
    contingencies : sequence of Contingency
    options : dict, optional
        :class:`twin.engine.EngineOptions` keywords for every run.
    keep_runs : path-like, optional
        Folder for each contingency's full run file (the workers must reach it:
        a shared file system on a cluster).
    on_result : callable, optional
        Called as ``on_result(row, done, total)`` as each result arrives.

    Returns
    -------
    list of dict
        The :class:`~twin.sweeps.outcome.Outcome` fields of each contingency, in
        the order given.
    """
    from distributed import as_completed

    document = to_document(layout)
    # The layout goes to every worker once instead of with every task; a copy on
    # each worker means one dying loses nothing, and a key of this sweep's own
    # (hash=False) means a later sweep never finds it released under it.
    [shared] = client.scatter([document], broadcast=True, hash=False)
    # Keys unique to this sweep, so two sweeps on one scheduler never share results.
    token = uuid.uuid4().hex[:8]
    futures = {}
    for c in contingencies:
        keep = None if keep_runs is None else str(Path(keep_runs).resolve()
                                                  / run_file_name(c.id))
        future = client.submit(run_contingency, shared, to_document(c.scenario), c.id, c.kind,
                               options, keep, key=f"contingency-{c.id}-{token}", pure=False,
                               retries=RETRIES)
        futures[future] = c
    rows: dict[str, dict] = {}
    for done, future in enumerate(as_completed(futures), start=1):
        c = futures[future]
        try:
            row = future.result()
        except Exception as error:  # noqa: BLE001 - any task error becomes a failed row
            row = asdict(Outcome(c.id, c.kind, status="failed",
                                 message=f"{type(error).__name__}: {error}"))
        rows[c.id] = row
        if on_result is not None:
            on_result(row, done, len(futures))
    return [rows[c.id] for c in contingencies]
