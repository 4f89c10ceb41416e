"""The library scan with the learned model, on real recordings served by a real mpd."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from mpd import MPDClient

from tests.conftest import free_port
from tests.music.conftest import mpd_settings
from tests.support.wait import wait_for
from today_feeling.config.music import DirectorSettings
from today_feeling.config.settings import ModelSettings
from today_feeling.music import stickers
from today_feeling.music.analysis import Features
from today_feeling.music.connection import close_quietly, connect
from today_feeling.music.director import Director
from today_feeling.music.mood_model import LearnedPoint, MusicMoodModel, load_music_model
from today_feeling.music.scan import scan_library
from today_feeling.music.space import distance
from today_feeling_dev.local_mpd import LocalMpd

PER_QUADRANT = 6

pytestmark = pytest.mark.needs_shared


@pytest.fixture(scope="module")
def dev_library(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Links to the first PER_QUADRANT recordings of each quadrant: file -> quadrant."""
    source = shared_dir / "datasets" / "music_4q_dev"
    if not (source / "labels.csv").is_file():
        pytest.skip(f"{source} is absent")
    with (source / "labels.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    folder = tmp_path_factory.mktemp("dev-music")
    chosen: dict[str, str] = {}
    for quadrant in ("Q1", "Q2", "Q3", "Q4"):
        for row in [r for r in rows if r["quadrant"] == quadrant][:PER_QUADRANT]:
            name = Path(row["file"]).name
            (folder / name).symlink_to(source / row["file"])
            chosen[name] = quadrant
    return folder, chosen


@pytest.fixture(scope="module")
def model(models_dir: Path) -> MusicMoodModel:
    return load_music_model(models_dir, ModelSettings().music, ModelSettings().music_head)


@pytest.fixture
def dev_client(tmp_path: Path,
               dev_library: tuple[Path, dict[str, str]]) -> Iterator[tuple[LocalMpd, MPDClient]]:
    folder, chosen = dev_library
    server = LocalMpd(tmp_path / "mpd", free_port(), music_dir=folder)
    server.root.mkdir()
    server.start()
    client = connect(mpd_settings(server))
    try:
        client.update()
        wait_for(lambda: "updating_db" not in client.status()
                 and client.stats()["songs"] == str(len(chosen)), what="mpd database update")
        yield server, client
    finally:
        close_quietly(client)
        server.stop()


def test_scan_writes_the_models_points_and_a_sad_mood_gets_sad_music(
        dev_client: tuple[LocalMpd, MPDClient], dev_library: tuple[Path, dict[str, str]],
        model: MusicMoodModel) -> None:
    server, client = dev_client
    folder, quadrant_of = dev_library
    result = scan_library(client, mpd_settings(server), DirectorSettings(), model=model)
    assert (result.analysed, result.failed) == (len(quadrant_of), [])
    features = stickers.read_all(client, stickers.FEATURES)
    fingerprints = stickers.read_all(client, stickers.FINGERPRINT)
    tracks = {t.file: t for t in stickers.load_library(client)}
    assert set(tracks) == set(quadrant_of)
    some = sorted(quadrant_of)[0]
    learned = LearnedPoint.parse(features[some])
    assert learned is not None and learned.model == model.key
    assert f"|{model.fingerprint}|" in fingerprints[some] and model.fingerprint.startswith(model.key)
    duration = float(client.find("file", some)[0]["duration"])
    assert tracks[some].point == model.place_file(folder / some, duration, 45.0)

    director = Director(DirectorSettings(), clock=lambda: 0.0, rng=random.Random(3))
    director.on_mood("sadness")
    picks = []
    for _ in range(PER_QUADRANT):
        pick = director.pick(list(tracks.values()))
        assert pick is not None
        director.note_played(pick.track.file)
        picks.append(pick.track)
    # Six picks without repeats from a 24-track library walk outward from the sad corner:
    # the first ones sit in it, none is pleasant and energetic, and most are recordings
    # listeners filed as negative and calm (Q3).
    points = [t.point for t in picks]
    assert all(v < 0 and a < 0 for v, a in points[:2]), points
    assert not any(v > 0 and a > 0 for v, a in points), points
    labels = [quadrant_of[t.file] for t in picks]
    assert labels.count("Q3") >= PER_QUADRANT - 2, labels


def test_switching_back_to_features_reanalyses_every_track(
        dev_client: tuple[LocalMpd, MPDClient], dev_library: tuple[Path, dict[str, str]],
        model: MusicMoodModel) -> None:
    server, client = dev_client
    _, quadrant_of = dev_library
    scan_library(client, mpd_settings(server), DirectorSettings(), model=model)
    again = scan_library(client, mpd_settings(server), DirectorSettings(), model=model)
    assert again.analysed == 0
    fallback = scan_library(client, mpd_settings(server), DirectorSettings())
    assert fallback.analysed == len(quadrant_of)
    parsed = [stickers.parse_analysis(v) for v in stickers.read_all(client, stickers.FEATURES).values()]
    assert all(isinstance(p, Features) for p in parsed)


def test_lift_walks_from_the_sad_corner_toward_calm_pleasant_music(
        dev_client: tuple[LocalMpd, MPDClient], dev_library: tuple[Path, dict[str, str]],
        model: MusicMoodModel) -> None:
    server, client = dev_client
    _, quadrant_of = dev_library
    scan_library(client, mpd_settings(server), DirectorSettings(), model=model)
    tracks = stickers.load_library(client)
    settings = DirectorSettings(mode="lift", lift_steps=4, variety=0.0)
    director = Director(settings, clock=lambda: 0.0, rng=random.Random(5))
    director.on_mood("sadness")
    walk = []
    for _ in range(settings.lift_steps + 1):
        pick = director.pick(tracks)
        assert pick is not None
        director.note_played(pick.track.file)
        walk.append(pick.track)
    goal = (settings.lift_target_valence, settings.lift_target_arousal)
    assert walk[0].valence < 0 and walk[0].arousal < 0  # the iso principle: meet them first
    assert quadrant_of[walk[0].file] == "Q3", [(t.point, quadrant_of[t.file]) for t in walk]
    assert walk[-1].valence > 0.1  # ends pleasant, near the calm-happy goal
    assert distance(walk[-1].point, goal) < 0.4 < distance(walk[0].point, goal)
    assert walk[-1].valence - walk[0].valence > 0.5
