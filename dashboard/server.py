"""The dashboard's web server: `streamlit run dashboard/server.py` (what `treem dashboard` starts) serves
``app.py`` as a Streamlit ``App`` whose only difference from a plain `streamlit run app.py` is what it
refuses: Streamlit's metrics endpoint, which would tell anyone who asks how many sessions are open and
what the caches hold."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from base.file_modes import use_private_umask

REFUSED = ("/_stcore/metrics",)


class RefuseEndpoints:
    """ASGI middleware: 404 for the refused paths (whatever the base URL path before them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith(REFUSED):
            await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


use_private_umask()
app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(RefuseEndpoints)])
