"""What the dashboard writes to the audit log, and the log as the audit page shows it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access import audit
from base.home import home_from_env
from dashboard import auth


def log(action: str, ward_code: str | None, detail: str | None = None) -> None:
    """Append to the audit log for the signed-in viewer."""
    viewer = auth.current_viewer()
    if viewer is not None:
        audit.record(home_from_env().root, viewer.username, action, viewer.role.value, ward_code, detail)


def log_once(action: str, ward_code: str | None, detail: str | None = None) -> None:
    """Log a look at a list once per session and ward (a page reruns at every click)."""
    seen = st.session_state[auth.SESSION_KEY].setdefault("logged", set())
    if (action, ward_code) not in seen:
        seen.add((action, ward_code))
        log(action, ward_code, detail)


def audit_entries(limit: int = 500) -> pd.DataFrame:
    """The latest audit log entries, newest first: for data engineers only (empty for anyone else)."""
    viewer = auth.current_viewer()
    if viewer is None or not viewer.sees_quality_detail:
        return pd.DataFrame()
    return pd.DataFrame(audit.entries(home_from_env().root, limit))


def audit_verdict() -> audit.Verdict | None:
    """Whether the audit log's hash chain holds: for data engineers only (None for anyone else)."""
    viewer = auth.current_viewer()
    if viewer is None or not viewer.sees_quality_detail:
        return None
    return audit.verify(home_from_env().root)
