"""The report tests run LibreOffice only where it is installed; their home is ``report_home`` in
tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.libreoffice import soffice

needs_libreoffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
