"""Which photos a folder holds and how each is labelled, decided before any pixel is read.

Two layouts, which may be mixed: photos directly in the folder (unlabelled, id
:data:`~today_feeling.domain.emotions.UNLABELLED`) and one subfolder per class, named in
English (FER2013 names and common aliases) or with the Korean class folders of the AIHub
dataset the original project used (see ``fer_id_for_folder``). A class folder is walked
recursively because datasets nest sessions or people inside classes. Hidden files are
skipped: macOS leaves a ``._name.jpg`` AppleDouble file beside every photo it copies to a
foreign disk, and those would all be reported as unreadable photos.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from today_feeling.capture.replay import IMAGE_SUFFIXES, is_image
from today_feeling.domain.emotions import UNLABELLED, fer_id_for_folder
from today_feeling.errors import EX_NOINPUT, TodayFeelingError

logger = logging.getLogger(__name__)


class NoPhotosError(TodayFeelingError):
    """The photo folder is missing or holds no photo the command could use."""

    exit_code = EX_NOINPUT


@dataclass(frozen=True)
class Photo:
    path: Path
    source: str
    """Path relative to the scanned folder, '/'-separated: what the npz ``source`` records."""
    label: int
    """FER2013 id (0 anger ... 6 neutral) or UNLABELLED (255)."""


@dataclass(frozen=True)
class PhotoFolder:
    photos: tuple[Photo, ...]
    """Sorted by ``source``, so the output order does not depend on the file system."""
    unknown_folders: tuple[str, ...]
    """Subfolders skipped because their name is no class name."""


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def _images_under(folder: Path, root: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if is_image(p) and _visible(p, root) and p.is_file()]


def scan_photos(root: Path) -> PhotoFolder:
    """The photos under ``root`` with their labels; NoPhotosError (exit 66) when there are none."""
    if not root.is_dir():
        raise NoPhotosError(f"photo folder {root} does not exist or is not a folder")
    try:
        entries = sorted(root.iterdir())
    except OSError as err:
        raise NoPhotosError(f"cannot list photo folder {root}: {err}") from err
    photos: list[Photo] = []
    unknown: list[str] = []
    for entry in entries:
        if not _visible(entry, root):
            continue
        if entry.is_dir():
            label = fer_id_for_folder(entry.name)
            if label is None:
                unknown.append(entry.name)
                continue
            photos += [Photo(p, p.relative_to(root).as_posix(), label)
                       for p in _images_under(entry, root)]
        elif entry.is_file() and is_image(entry):
            photos.append(Photo(entry, entry.name, UNLABELLED))
    if unknown:
        logger.warning("skipping folder(s) %s in %s: not an emotion class name (use English names "
                       "such as happiness or happy, or the AIHub Korean names such as 기쁨)",
                       ", ".join(unknown), root)
    if not photos:
        raise NoPhotosError(f"{root} holds no photos ({', '.join(sorted(IMAGE_SUFFIXES))}) directly "
                            "or in emotion class folders")
    return PhotoFolder(tuple(sorted(photos, key=lambda p: p.source)), tuple(unknown))
