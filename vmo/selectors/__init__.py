"""Reads of the vmo app, one module per area: planning, snapshots, overview."""
