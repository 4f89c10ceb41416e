"""The music service driving a real mpd, with a second client playing the person's part."""

from __future__ import annotations

import shutil
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from mpd import MPDClient

from tests.conftest import free_port
from tests.music.conftest import TRACK_COUNT, DemoLibrary, mpd_settings
from tests.support.wait import wait_for
from today_feeling.config.music import DirectorSettings
from today_feeling.config.settings import MpdSettings, Settings
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus, LibraryScan, ServiceStatus
from today_feeling.music import build_service, stickers
from today_feeling.music.connection import connect
from today_feeling.music.service import MusicService
from today_feeling.music.space import EMOTION_POINTS, distance
from today_feeling_dev.local_mpd import LocalMpd


def playing(client: MPDClient) -> dict[str, Any]:
    status = client.status()
    return status if status.get("state") == "play" else {}


def to_end(client: MPDClient) -> None:
    """Jump to one second before the end, to reach the track boundary quickly."""
    status = client.status()
    client.seekid(status["songid"], max(0.0, float(status["duration"]) - 1.0))


def point_of(client: MPDClient, file: str) -> tuple[float, float]:
    track = {t.file: t for t in stickers.load_library(client)}[file]
    return track.point


def test_build_service_is_none_only_when_address_is_off() -> None:
    bus, controls = EventBus(), Controls()
    assert build_service(Settings(mpd=MpdSettings(address="off")), bus, controls) is None
    off_mode = Settings(director=DirectorSettings(mode="off", quiet_hours="22:30-7:00"))
    assert isinstance(build_service(off_mode, bus, controls), MusicService)
    # the configured schedule reaches the controls as MQTT and the dashboard spell it
    assert (controls.state.mode, controls.state.quiet_hours) == ("off", "22:30-07:00")


def test_mood_change_queues_fitting_track_without_cutting(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    client.add("track-02.flac")  # slow, quiet, minor: a sad track is playing
    client.play(0)
    playing_id = wait_for(lambda: playing(client), what="playback")["songid"]
    rig = rig_factory(scanned)
    rig.connected()
    assert (rig.tracks[0].file, rig.tracks[0].reason) == ("track-02.flac", "")  # a person's
    client.seekid(playing_id, 0)  # a full 12 s before its natural end, even on a slow machine
    rig.mood("happiness")
    upcoming = wait_for(lambda: client.status().get("nextsongid"), what="a queued pick")
    assert client.status()["songid"] == playing_id  # not cut
    nxt = client.playlistid(upcoming)[0]["file"]
    assert distance(point_of(client, nxt), EMOTION_POINTS["happiness"]) < 0.5
    to_end(client)
    track = rig.picked()[0]
    assert track.file == nxt
    assert track.reason.endswith("track to match your happy mood")
    assert track.why is not None and (track.why.mood, track.why.mode) == ("happiness", "match")
    assert track.valence is not None
    assert track.valence > 0.3
    assert track.arousal is not None
    assert track.arousal > 0.2
    assert rig.service.director.manual_actions == []  # a natural track end is not a skip


def test_lift_picks_move_toward_the_target(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig = rig_factory(scanned, mode="lift", lift_steps=3)
    rig.connected()
    rig.mood("sadness")
    for count in range(1, 4):
        rig.picked(count)
        to_end(client)
    picks = rig.picked(4)[:4]
    goal = (0.5, -0.2)
    gaps = [distance((t.valence or 0.0, t.arousal or 0.0), goal) for t in picks]
    assert [p.reason.split(" — ")[1] for p in picks] == [f"lift step {n} of 4" for n in range(1, 5)]
    assert picks[0].valence is not None
    assert picks[0].valence < 0
    assert gaps[-1] < gaps[0] - 0.5
    assert len({p.file for p in picks}) == 4  # no repeats


def test_reconnects_after_mpd_is_killed_and_carries_on(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig = rig_factory(scanned)
    rig.first_pick_for("anger")
    scanned.kill()
    wait_for(lambda: any(not s.connected for s in list(rig.statuses)), what="disconnect")
    scanned.start()
    rig.connected(times=2)
    second = MPDClient()
    second.connect("127.0.0.1", scanned.port)
    try:
        status = wait_for(lambda: playing(second), what="playback after restart")
        file = second.playlistid(status["songid"])[0]["file"]
        assert distance(point_of(second, file), EMOTION_POINTS["anger"]) < 0.8
    finally:
        second.disconnect()


def test_a_volume_asked_while_mpd_is_away_is_applied_when_it_returns(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig = rig_factory(scanned)
    rig.first_pick_for("happiness")
    wait_for(lambda: rig.controls.state.volume is not None, what="volume read back")
    scanned.kill()
    wait_for(lambda: any(not s.connected for s in list(rig.statuses)), what="disconnect")
    asked = 17 if rig.controls.state.volume != 17 else 23
    rig.controls.update(volume=asked)  # MQTT/the dashboard show it at once
    scanned.start()
    rig.connected(times=2)
    second = MPDClient()
    second.connect("127.0.0.1", scanned.port)
    try:
        wait_for(lambda: int(second.status().get("volume", -1)) == asked, what="the held volume applied")
        assert rig.controls.state.volume == asked
    finally:
        second.disconnect()


def test_manual_skip_from_another_client_makes_the_director_back_off(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig = rig_factory(scanned, manual_backoff_s=300)
    rig.first_pick_for("happiness")
    wait_for(lambda: client.status().get("nextsongid"), what="a queued pick")
    client.next()  # a person skips, a second into the track
    wait_for(lambda: rig.service.director.manual_actions == ["skip"], what="skip noticed")
    assert rig.service.director.backing_off()
    version = client.status()["playlist"]
    rig.mood("sadness")
    time.sleep(2.5)  # two polls: the director must leave the queue alone
    assert client.status()["playlist"] == version


def test_queue_edit_and_pause_from_another_client_are_manual(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig = rig_factory(scanned, manual_backoff_s=1.5)
    rig.first_pick_for("happiness")
    director = rig.service.director
    client.add("track-04.flac")
    wait_for(lambda: director.manual_actions == ["queue edit"], what="a queue edit noticed")
    wait_for(lambda: not director.backing_off(), what="back-off to expire")
    client.pause(1)
    wait_for(lambda: rig.controls.state.paused, what="pause reflected into controls")
    wait_for(lambda: director.manual_actions == ["queue edit", "pause"], what="pause noticed")


def test_controls_drive_mpd_and_mpd_truth_is_reflected(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig = rig_factory(scanned)
    first = rig.first_pick_for("surprise")
    rig.controls.update(volume=30)
    wait_for(lambda: client.status()["volume"] == "30", what="ramped volume")
    client.setvol(70)  # a person's app
    wait_for(lambda: rig.controls.state.volume == 70, what="volume reflected")
    time.sleep(1.5)
    assert client.status()["volume"] == "70"  # no feedback loop
    rig.controls.update(paused=True)
    wait_for(lambda: client.status()["state"] == "pause", what="pause")
    rig.controls.update(paused=False)
    wait_for(lambda: playing(client), what="resume")
    rig.controls.trigger("next")
    second = rig.picked(2)[1]
    assert second.file != first.file
    assert rig.service.director.manual_actions == []  # our own actions are not manual


def test_resume_right_after_pause_is_not_lost(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    """A quick pause/resume from the dashboard must end playing, whatever MPD's events lag."""
    rig = rig_factory(scanned)
    rig.first_pick_for("happiness")
    wait_for(lambda: playing(client), what="playback")
    rig.controls.update(paused=True)
    rig.controls.update(paused=False)  # queued before MPD's 'player' event for the pause
    time.sleep(1.5)  # let the pause's idle event arrive and be reflected
    assert playing(client), client.status()["state"]
    assert rig.controls.state.paused is False


def test_starts_while_mpd_is_down_and_connects_when_it_appears(
        tmp_path: Path, rig_factory: Any, demo_library: DemoLibrary) -> None:
    server = LocalMpd(tmp_path / "late", free_port(), music_dir=demo_library.folder)
    server.root.mkdir()
    rig = rig_factory(server)  # start() must return although nothing listens yet
    time.sleep(0.5)
    assert not rig.statuses
    server.start()
    try:
        rig.connected()
    finally:
        rig.service.stop()
        server.stop()


def test_stable_mood_switch_cuts_a_misfit_track(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    client.add("track-02.flac")  # slow minor, far from happiness
    client.play(0)
    playing_id = wait_for(lambda: playing(client), what="playback")["songid"]
    rig = rig_factory(scanned, switch_after_stable_s=1.0)
    rig.connected()
    rig.mood("happiness")
    deadline = time.monotonic() + 15
    while not rig.director_tracks() and time.monotonic() < deadline:
        # Keep the sad track from ever ending (seeks are not manual actions): the only way
        # to the pick is the director cutting it.
        if client.status().get("songid") == playing_id:
            client.seekid(playing_id, 0)
        time.sleep(0.3)
    track = rig.picked(1)[0]
    assert client.status()["songid"] != playing_id
    assert track.valence is not None
    assert track.valence > 0.3
    assert rig.service.director.manual_actions == []  # the test's seeks are not manual


def test_database_update_triggers_an_incremental_scan(
        tmp_path: Path, demo_library: DemoLibrary, rig_factory: Any) -> None:
    music = tmp_path / "music"
    music.mkdir()
    shutil.copy(demo_library.folder / "track-01.flac", music / "first.flac")
    server = LocalMpd(tmp_path / "mpd", free_port(), music_dir=music)
    server.root.mkdir()
    server.start()
    try:
        rig = rig_factory(server)
        scans: list[LibraryScan] = []
        rig.bus.subscribe(LibraryScan, scans.append)
        rig.connected()
        with closing(connect(mpd_settings(server))) as person:
            person.update()
            wait_for(lambda: len(stickers.load_library(person)) == 1, what="first scan")
            shutil.copy(demo_library.folder / "track-02.flac", music / "second.flac")
            person.update()
            wait_for(lambda: len(stickers.load_library(person)) == 2, what="rescan")
            rig.mood("sadness")
            assert rig.picked(1)[0].file == "second.flac"
        # progress after each file and an idle report when a scan ends (MQTT, dashboard)
        wait_for(lambda: scans and not scans[-1].scanning and scans[-1].total == 2, what="scan end")
        assert any(s.scanning and (s.done, s.total) == (2, 2) for s in scans)
    finally:
        rig.service.stop()
        server.stop()


def test_password_file_is_used(tmp_path: Path, demo_library: DemoLibrary,
                               rig_factory: Any) -> None:
    server = LocalMpd(tmp_path / "mpd", free_port(), music_dir=demo_library.folder,
                      password="s3cret")
    server.root.mkdir()
    server.start()
    secret = tmp_path / "mpd-password"
    secret.write_text("s3cret\n", encoding="utf-8")
    wrong = tmp_path / "wrong-password"
    wrong.write_text("guess\n", encoding="utf-8")
    try:
        refused = rig_factory(server, password_file=str(wrong))
        time.sleep(1.0)  # a few refused attempts
        assert refused.service.running
        assert not refused.statuses
        rig = rig_factory(server, password_file=str(secret))
        rig.connected()
        with closing(connect(mpd_settings(server, password_file=str(secret)))) as person:
            person.update()
            wait_for(lambda: len(stickers.load_library(person)) == TRACK_COUNT, what="scan")
        rig.mood("happiness")
        rig.picked(1)
    finally:
        rig.service.stop()
        server.stop()


def test_played_entries_are_pruned_behind_the_current_song(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    client.command_list_ok_begin()
    for i in range(55):
        client.add(f"track-{i % TRACK_COUNT + 1:02d}.flac")
    client.command_list_end()
    client.play(54)
    wait_for(lambda: playing(client), what="playback")
    rig = rig_factory(scanned)
    rig.connected()
    rig.mood("happiness")
    wait_for(lambda: client.status().get("nextsongid"), what="a queued pick")
    to_end(client)
    rig.picked(1)
    wait_for(lambda: client.status().get("song") == "50", what="pruned queue")
    assert rig.service.director.manual_actions == []  # our own pruning is not a queue edit


def test_connects_over_the_unix_socket(scanned: LocalMpd) -> None:
    bus, controls = EventBus(), Controls()
    statuses: list[ServiceStatus] = []
    bus.subscribe(ServiceStatus, statuses.append)
    settings = Settings(mpd=mpd_settings(scanned, address=str(scanned.socket_path)))
    service = build_service(settings, bus, controls)
    assert service is not None
    service.start()
    try:
        wait_for(lambda: statuses and statuses[-1].connected, what="socket connection")
        wait_for(lambda: controls.state.volume is not None, what="volume reflected")
    finally:
        service.stop()
    assert statuses[-1] == ServiceStatus("mpd", False, "stopped")


def test_a_track_a_person_starts_is_announced_without_reason(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig = rig_factory(scanned)
    rig.connected()
    client.add("track-05.flac")
    client.play(0)
    track = wait_for(lambda: rig.tracks and rig.tracks[-1], what="TrackChanged")
    assert (track.file, track.reason, track.artist) == ("track-05.flac", "", "Today Feeling Demo")
    assert track.title.startswith("Demo 05 (150 bpm")
    assert track.valence is not None  # known from the index
