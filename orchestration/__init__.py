"""Dagster definitions: ingestion, dbt and publish assets, the inbox sensor, checks and jobs."""
