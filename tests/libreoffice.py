"""Headless LibreOffice conversions for tests and fixture scripts, each in its own profile folder (a
LibreOffice left open on the desktop, or another conversion running, cannot interfere)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def soffice() -> str | None:
    return shutil.which("soffice")


def convert(source: Path, target_format: str, outdir: Path, timeout: int = 300) -> Path:
    """Convert ``source`` into ``outdir`` (``target_format`` as soffice's --convert-to takes it, e.g.
    ``pdf`` or ``xlsx:Calc MS Excel 2007 XML``); returns the new file. Raises with LibreOffice's output
    when the conversion fails or writes nothing."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / ".lo-profile").resolve().as_uri()
    result = subprocess.run(
        [
            soffice() or "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            target_format,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    converted = outdir / f"{source.stem}.{target_format.split(':')[0]}"
    if result.returncode != 0 or not converted.exists():
        raise RuntimeError(f"LibreOffice could not convert {source}: {result.stdout}{result.stderr}")
    return converted
