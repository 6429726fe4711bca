"""Batch runs: many instances and sweeps on every core, or on a Dask cluster (docs/batch.md)."""
