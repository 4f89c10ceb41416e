"""'Next up' against a real mpd: the pick queued for a new mood behind a track that does not fit
it is announced (the director never cuts the song), and the announcement clears when it plays."""

from __future__ import annotations

import time
from typing import Any

from mpd import MPDClient

from tests.music.rig import Rig
from tests.music.test_service_mpd import playing, to_end
from tests.support.wait import wait_for
from today_feeling.events import NextPlanned
from today_feeling_dev.local_mpd import LocalMpd


def person_plays_a_sad_track(client: MPDClient, rig_factory: Any, scanned: LocalMpd
                             ) -> tuple[Rig, list[NextPlanned], str]:
    client.add("track-02.flac")  # slow, quiet, minor
    client.play(0)
    song_id = wait_for(lambda: playing(client), what="playback")["songid"]
    rig: Rig = rig_factory(scanned)
    said: list[NextPlanned] = []
    rig.bus.subscribe(NextPlanned, said.append)
    rig.connected()
    client.seekid(song_id, 0)  # the whole track ahead: the pick waits for its end
    return rig, said, song_id


def test_a_pick_for_a_new_mood_is_next_up_until_it_plays(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig, said, song_id = person_plays_a_sad_track(client, rig_factory, scanned)
    rig.mood("happiness")
    upcoming = wait_for(lambda: [e for e in list(said) if e.file], what="a next-up announcement")[0]
    queued = client.playlistid(client.status()["nextsongid"])[0]
    assert client.status()["songid"] == song_id  # the sad track plays on
    assert (upcoming.after, upcoming.file) == ("track-02.flac", queued["file"])
    assert upcoming.title == queued.get("title", "") and upcoming.title
    assert upcoming.why is not None and (upcoming.why.mood, upcoming.why.mode) == ("happiness", "match")
    assert upcoming.reason.endswith("track to match your happy mood")

    to_end(client)
    started = rig.picked()[0]
    assert started.file == upcoming.file and started.why == upcoming.why
    cleared = wait_for(lambda: [e for e in list(said) if e.after == started.file], what="cleared")
    assert cleared[-1].file == ""  # the music fits the mood again: nothing to announce


def test_no_next_up_while_the_playing_track_fits_the_mood(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig, said, _ = person_plays_a_sad_track(client, rig_factory, scanned)
    rig.mood("sadness")
    wait_for(lambda: client.status().get("nextsongid"), what="a queued pick")
    time.sleep(1.5)  # a poll or two: an announcement would have been made by now
    assert [e.file for e in said if e.file] == []
    assert said and said[-1].after == "track-02.flac"
    assert rig.service.director.mood == "sadness"
