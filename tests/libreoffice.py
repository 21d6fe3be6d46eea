"""LibreOffice headless as a stand-in for WPS and Excel: open a workbook, save it as LibreOffice would.

scripts/test.sh installs Debian's libreoffice-calc-nogui when soffice is missing. Each call uses its
own profile directory, so it neither waits for nor hands its work to another soffice on the machine.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

TIMEOUT = 120


def convert(source: Path, target_format: str, out_dir: Path) -> Path:
    """``soffice --convert-to``: the converted file, or the test fails saying why."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("soffice is missing: run scripts/test.sh, which installs Debian's libreoffice-calc-nogui.")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target_format,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    extension = target_format.split(":")[0]
    converted = out_dir / f"{source.stem}.{extension}"
    assert result.returncode == 0 and converted.exists(), (result.stdout, result.stderr)
    return converted
