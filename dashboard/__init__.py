"""Streamlit dashboard over the published serving copy (never the warehouse)."""
