"""Rules that every surface (dashboard, reports) applies the same way."""
