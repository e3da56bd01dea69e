"""The sign-off ledger: approvals of report periods and the figures approved (docs/reports.md#sign-off)."""
