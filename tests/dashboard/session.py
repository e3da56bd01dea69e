"""Signing a test's AppTest session in as a real account of the home, with a role and a ward."""

from __future__ import annotations

from pathlib import Path

TEST_PASSWORD = "mat-khau-thu-nghiem"


def sign_in(app, role: str = "district_leader", ward: str | None = None, source: str | None = None):
    """Start ``app``'s session as a real account of the home in TREEM_HOME with that role and ward (and
    source, for an office; made once), as the sign-in form would; returns the app."""
    import os

    from access import accounts
    from access.roles import Role
    from base.clock import local_now
    from dashboard.auth import SESSION_KEY

    root = Path(os.environ["TREEM_HOME"])
    username = f"{role}-{ward or 'all'}{'-' + source if source else ''}".replace("_", "-")
    if accounts.get_account(root, username) is None:
        accounts.add_account(
            root, username, TEST_PASSWORD, Role(role), ward, name=f"Thử {role}", source=source
        )
    app.session_state[SESSION_KEY] = {
        "viewer": accounts.get_account(root, username).viewer(),
        "last_seen": local_now(),
    }
    return app
