"""The OpenAPI schema builds without warnings and validates, so every endpoint has its types."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_schema_validates_without_warnings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--file",
            str(tmp_path / "schema.yml"),
            "--validate",
            "--fail-on-warn",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
