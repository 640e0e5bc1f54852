"""Services of the portfolio app, one module per area: base, epics, delivery."""
