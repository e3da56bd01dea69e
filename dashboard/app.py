"""Entry point: `streamlit run dashboard/app.py` (or `treem dashboard`)."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so `dashboard` imports without installing

st.set_page_config(page_title="treem – Trẻ em Hà Đông", page_icon="🧒", layout="wide")

pages = {
    "Y tế": [
        st.Page("views/immunization.py", title="Tiêm chủng", icon="💉", url_path="tiem-chung", default=True)
    ],
}
st.navigation(pages).run()
