"""Writes of the vmo app, one module per area: planning, rollups."""
