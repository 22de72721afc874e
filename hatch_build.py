"""Build hook: bring the browser assets the web UI serves from its own static files.

ECharts comes from the npm registry through the ordinary npm client, pinned to one
version, at install time; nothing is fetched from a CDN at run time. htmx comes from
the django-htmx wheel on PyPI.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ECHARTS = "echarts@5.6.0"
VENDOR = Path("src/lianzhang/web/static/vendor")
FILES = {"package/dist/echarts.min.js": "echarts.min.js", "package/LICENSE": "echarts.LICENSE"}


def fetch_echarts(root: Path) -> None:
    target = root / VENDOR
    if all((target / name).exists() for name in FILES.values()):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "lianzhang needs npm (Node.js) at install time to fetch ECharts from the npm "
            "registry: install Node.js, e.g. `apt-get install nodejs npm`."
        )
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [npm, "pack", ECHARTS, "--silent", "--pack-destination", tmp],
            check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
        with tarfile.open(Path(tmp) / out) as tar:
            for member, name in FILES.items():
                src = tar.extractfile(member)
                assert src is not None, member
                (target / name).write_bytes(src.read())


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        fetch_echarts(Path(self.root))
