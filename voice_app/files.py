"""Files of the build, looked up safely: the one place that maps a catalog name to a path.

A name resolves under the build folder or not at all (`..`, or a symlink out of the build,
is treated as missing), so no route can be talked into serving another file.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort


def build_file(build_dir: Path, name: str) -> Path | None:
    """The regular file `name` under `build_dir`, or None when it is missing or outside."""
    root = build_dir.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def build_file_or_404(build_dir: Path, name: str) -> Path:
    """`build_file`, answering 404 when there is none."""
    path = build_file(build_dir, name)
    if path is None:
        abort(404)
    return path
