"""Installing the package into a new environment with pip and no network, as a user would from a
clone: a copy of the working tree, and a wheelhouse pip resolves against instead of an index.

The wheelhouse holds a wheel of every distribution installed in this (the development) environment,
so exactly the versions the suite runs with. pip resolves against it as against an index
(`--no-index --find-links FOLDER`): it installs what the package requires and nothing more, and a
requirement the folder cannot meet fails the install. A wheel is rebuilt from an installed
distribution's RECORD: its files as installed, its metadata less what the installer added (RECORD is
written anew), console scripts left to pip to generate from the entry points again."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

INSTALLER_FILES = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Built once a session (3 s); removed after it (it is the size of the environment)."""
    folder = build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def offline_environment(wheelhouse: Path) -> dict[str, str]:
    """This process's environment, with pip reading no configuration file and no index: only the
    wheelhouse (and no cache, so nothing is written outside the test's folders); without PYTHONPATH,
    so a new environment sees only what is installed in it."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    environment.pop("PYTHONPATH", None)
    environment.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse),
        PIP_NO_CACHE_DIR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return environment


def copy_working_tree(target: Path) -> Path:
    """The files of this working tree a clone would have, as they are now (uncommitted and new files
    included): what gets installed is the code under test, not the last commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout  # fmt: skip
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def build_wheelhouse(folder: Path) -> Path:
    """A wheel of every distribution installed here except editable ones (the package under test)."""
    folder.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    site_packages = list(dict.fromkeys(sysconfig.get_path(name) for name in ("purelib", "platlib")))
    for distribution in importlib.metadata.distributions(path=site_packages):
        name = _canonical(distribution.metadata["Name"])
        if name in seen or _editable(distribution):
            continue  # the first on sys.path wins, as for the interpreter
        seen.add(name)
        write_wheel(distribution, folder)
    return folder


def write_wheel(distribution: importlib.metadata.Distribution, folder: Path) -> Path:
    info = _dist_info(distribution)
    wheel_metadata = distribution.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel_metadata.splitlines() if line.startswith("Tag:")]
    name = re.sub(r"[-_.]+", "_", distribution.metadata["Name"]).lower()
    target = folder / f"{name}-{distribution.version}-{_compressed(tags)}.whl"
    record: list[str] = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as wheel:
        for archive_name, path in _members(distribution, info):
            data = path.read_bytes()
            if archive_name.endswith(".data/scripts/" + path.name) and data.startswith(b"#!" + sys.prefix.encode()):
                data = b"#!python" + data[data.index(b"\n") :]  # pip writes the new environment's interpreter
            wheel.writestr(archive_name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{archive_name},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return target


def _members(distribution: importlib.metadata.Distribution, info: str) -> Iterator[tuple[str, Path]]:
    """(name in the wheel, installed file) for every file the distribution installed."""
    scripts = {point.name for point in distribution.entry_points if point.group in ("console_scripts", "gui_scripts")}
    data = f"{info.removesuffix('.dist-info')}.data"
    for file in distribution.files or ():
        parts = file.parts
        if "__pycache__" in parts or (parts[0] == info and parts[-1] in INSTALLER_FILES):
            continue
        path = Path(distribution.locate_file(file))
        if parts[:3] == ("..", "..", ".."):  # beside lib/pythonX.Y/site-packages: bin/, share/
            if parts[3] == "bin":
                if parts[-1] not in scripts:
                    yield f"{data}/scripts/{'/'.join(parts[4:])}", path
            else:
                yield f"{data}/data/{'/'.join(parts[3:])}", path
        else:
            yield "/".join(parts), path


def _dist_info(distribution: importlib.metadata.Distribution) -> str:
    for file in distribution.files or ():
        if file.parts[-1] == "METADATA" and file.parts[0].endswith(".dist-info"):
            return file.parts[0]
    raise ValueError(f"{distribution.metadata['Name']}: no .dist-info in its RECORD")


def _compressed(tags: list[str]) -> str:
    """`py2-none-any` and `py3-none-any` as `py2.py3-none-any`."""
    columns = zip(*(tag.split("-") for tag in tags), strict=True)
    return "-".join(".".join(dict.fromkeys(column)) for column in columns)


def _editable(distribution: importlib.metadata.Distribution) -> bool:
    direct = distribution.read_text("direct_url.json")
    return bool(direct and json.loads(direct).get("dir_info", {}).get("editable"))


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
