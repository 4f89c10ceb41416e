"""The profile folder: one ``<name>.json`` per person, written atomically, mode 0600.

Why files rather than a database: "forget me" must be a single ``unlink`` that leaves nothing
behind (no journal, no free pages holding old embeddings), and a person can see their file.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from today_feeling.domain.profile_names import check_profile_name
from today_feeling.errors import ProfileError, ProfileMissingError
from today_feeling.profiles.profile import Profile

logger = logging.getLogger(__name__)

SUFFIX = ".json"
#: A profile of 6 x 1000 samples is ~5 MB; anything much larger is not one of ours.
MAX_FILE_BYTES = 16 * 1024 * 1024


class ProfileStore:
    """Read, write and delete profiles under ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{check_profile_name(name)}{SUFFIX}"

    def names(self) -> list[str]:
        """Profile names on disk (valid file names only), sorted."""
        try:
            files = sorted(self.directory.glob(f"*{SUFFIX}"))
        except OSError:
            return []
        names = []
        for file in files:
            try:
                names.append(check_profile_name(file.stem))
            except ValueError:
                continue
        return names

    def load(self, name: str) -> Profile:
        """The profile, or ProfileMissingError / ProfileError with the file and what is wrong."""
        path = self.path(name)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ProfileError(f"profile file {path} is over {MAX_FILE_BYTES} bytes: not a profile")
            doc = json.loads(path.read_text(encoding="utf-8"))
            profile = Profile.from_json(doc)
        except FileNotFoundError as err:
            raise ProfileMissingError(f"no profile '{name}' in {self.directory} "
                                 f"(known: {', '.join(self.names()) or 'none'})") from err
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ProfileError(f"profile file {path} cannot be read: {err}") from err
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise ProfileError(f"profile file {path} is corrupt ({type(err).__name__}: {err}); "
                               f"delete it with 'today-feeling profile delete {name}'") from err
        if profile.name != check_profile_name(name):
            raise ProfileError(f"profile file {path} names '{profile.name}', not '{name}'")
        return profile

    def save(self, profile: Profile) -> Path:
        """Write atomically (temp file in the same folder, fsync, rename); 0600 from birth."""
        path = self.path(profile.name)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = json.dumps(profile.to_json(), ensure_ascii=False, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(prefix=".profile-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp creates it 0600
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def delete(self, name: str) -> bool:
        """Remove the profile's file (every trace: nothing else holds its samples)."""
        path = self.path(name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        logger.info("profile %s deleted (%s removed)", name, path)
        return True
