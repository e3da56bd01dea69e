"""Vietnamese first, English on request: the language chosen in the sidebar, and the text in it."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}


def lang() -> str:
    return st.session_state.get("lang", "vi")


def t(vi: str, en: str) -> str:
    """The text in the chosen language."""
    return en if lang() == "en" else vi
