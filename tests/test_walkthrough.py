"""The README's deploy walkthrough, pasted into bash as a new user would, against moto's server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO


def _walkthrough() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- deploy-walkthrough -->", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    return block


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(not (REPO / ".venv" / "bin" / "preflight").exists(), reason="needs the README's .venv")
def test_the_readme_walkthrough_runs(tmp_path: Path) -> None:
    port = str(_free_port())
    script = "set -e\n" + _walkthrough().replace("5055", port)
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and not key.startswith("PREFLIGHT")
    }
    environment.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    process = subprocess.Popen(
        ["bash", "-c", script],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=240)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the moto server the script started, if set -e stopped it early
        except ProcessLookupError:
            pass
    (REPO / "moto.log").unlink(missing_ok=True)
    assert process.returncode == 0, output
    assert re.search(r"could not check the number of conformance packs", output)
    assert '"TemplateS3Uri": "s3://pack-templates/s3-baseline.yaml"' in output
    assert "dry run: nothing was uploaded or put for s3-baseline" in output
    assert "put s3-baseline: accepted by AWS Config" in output
    assert "s3-baseline: deployed to every account (1/1 accounts done, 0 failed (CREATE_SUCCESSFUL))" in output
