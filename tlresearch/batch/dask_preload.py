"""Dask preload for the nannies and workers of the ``LocalCluster`` a run starts.

``dask_setup`` is called by distributed in each nanny and worker process (``preload``
and ``preload_nanny``): it arms :func:`~tlresearch.batch.lifeline.die_with_parent`, so
that a killed ``tlresearch report`` leaves no nanny, worker or kernel behind.
"""
from __future__ import annotations


def dask_setup(server=None) -> None:  # server: what distributed passes (nanny or worker)
    from tlresearch.batch.lifeline import die_with_parent

    die_with_parent()
