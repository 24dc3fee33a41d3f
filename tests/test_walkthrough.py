"""The deploy walkthrough of docs/deploy.md, pasted into bash as a new user would, against moto's server: in a
copy of the working tree, after the README's first command (the light install), with pip offline
(the wheelhouse of tests/offline_install.py instead of an index)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from tests.conftest import fenced_block
from tests.offline_install import copy_working_tree, offline_environment


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_readme_walkthrough_runs(tmp_path: Path, wheelhouse: Path) -> None:
    folder = copy_working_tree(tmp_path / "clone")
    environment = {
        key: value
        for key, value in offline_environment(wheelhouse).items()
        if not key.startswith("AWS_") and not key.startswith("PREFLIGHT")
    }
    environment.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    first = subprocess.run(
        ["bash", "-c", fenced_block("README.md", "example-command")], cwd=folder, env=environment, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert first.returncode == 1, first.stdout[-3000:] + first.stderr[-3000:]  # the example pack's findings
    port = str(_free_port())
    script = "set -e\n" + fenced_block("docs/deploy.md", "deploy-walkthrough").replace("5055", port)
    process = subprocess.Popen(
        ["bash", "-c", script],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=300)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the moto server the script started, if set -e stopped it early
        except ProcessLookupError:
            pass
        shutil.rmtree(folder / ".venv", ignore_errors=True)  # 300 MB with moto's dependencies
    assert process.returncode == 0, output
    assert re.search(r"could not check the number of conformance packs", output)
    assert '"TemplateS3Uri": "s3://pack-templates/s3-baseline.yaml"' in output
    assert "dry run: nothing was uploaded or put for s3-baseline" in output
    assert "put s3-baseline: accepted by AWS Config" in output
    assert "s3-baseline: deployed to every account (1/1 accounts done, 0 failed (CREATE_SUCCESSFUL))" in output
