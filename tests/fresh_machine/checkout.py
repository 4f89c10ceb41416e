"""The code a new user clones: a git repository holding this checkout as it is on disk.

Why a snapshot and not a clone of HEAD: a developer running the test locally wants their
uncommitted changes tested, and nothing may be committed in their repository to get there. So the
tracked and the untracked-but-not-ignored files are copied into a throwaway repository with one
commit, which the fresh machine then clones like any remote. In CI (a clean clone) the snapshot
has exactly the files of the commit under test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

GIT_IDENTITY = ("-c", "user.name=fresh-machine test", "-c", "user.email=fresh-machine@localhost")


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *GIT_IDENTITY, *args], check=True,
                            capture_output=True, text=True, timeout=300)
    return result.stdout


def snapshot(repo: Path, dest: Path) -> str:
    """Copy repo's files (tracked + untracked, not ignored) into a new repository at dest.

    Returns a one-line description of what was taken (the commit, and whether it was dirty).
    """
    listed = _git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    dest.mkdir(parents=True)
    for name in filter(None, dict.fromkeys(listed)):
        source, target = repo / name, dest / name
        if not source.is_symlink() and not source.exists():
            continue  # tracked but deleted in the working tree: the user's checkout lacks it too
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
    head = _git(repo, "rev-parse", "--short", "HEAD").strip()
    dirty = bool(_git(repo, "status", "--porcelain").strip())
    description = f"{head}{' + uncommitted changes' if dirty else ''}"
    _git(dest, "init", "--quiet", "--initial-branch=main")
    _git(dest, "add", "--all", "--force")  # --force: a tracked file that .gitignore matches stays
    _git(dest, "commit", "--quiet", "--no-verify", "-m", f"snapshot of {description}")
    return description
