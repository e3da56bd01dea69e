"""The serving copy's contract: what publish writes and what the dashboard, the reports and the quality
report may rely on."""
