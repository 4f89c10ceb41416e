"""Thumbs up/down and skips against a real mpd: stickers written, later picks changed."""

from __future__ import annotations

from typing import Any

from mpd import MPDClient

from tests.music.rig import Rig
from tests.support.wait import wait_for
from today_feeling.music import stickers
from today_feeling_dev.local_mpd import LocalMpd


def feedback_of(client: MPDClient, file: str) -> str:
    return stickers.read_all(client, stickers.FEEDBACK).get(file, "")


def playing_file(client: MPDClient) -> str:
    return str(client.currentsong().get("file", ""))


def test_thumbs_down_skips_the_track_and_keeps_it_out_of_that_mood(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig: Rig = rig_factory(scanned, history_size=0)
    first = rig.first_pick_for("sadness")
    rig.controls.trigger("dislike")
    wait_for(lambda: feedback_of(client, first.file) == "sadness:-1.00", what="the dislike sticker")
    wait_for(lambda: playing_file(client) not in ("", first.file), what="the disliked track skipped")
    assert rig.service.director.manual_actions == []  # our own skip, not a person's
    # with no no-repeat history, only the thumbs down keeps it out of the next sad picks
    for _ in range(3):
        pick = rig.service.director.pick(rig.service.library.tracks())
        assert pick is not None and pick.track.file != first.file


def test_thumbs_up_is_filed_under_the_current_mood_and_the_reason_says_so(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig: Rig = rig_factory(scanned, history_size=0)
    first = rig.first_pick_for("happiness")
    rig.controls.trigger("like")
    wait_for(lambda: feedback_of(client, first.file) == "happiness:+1.00", what="the like sticker")
    assert playing_file(client) == first.file  # a like does not skip
    track = rig.service.director  # the in-memory index is updated at once, not after a rescan
    picked = track.pick(rig.service._library.tracks())
    assert picked is not None and picked.track.file == first.file
    assert "you liked it before when happy" in picked.reason


def test_a_skip_from_another_client_and_our_next_button_count_as_weak_negatives(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig: Rig = rig_factory(scanned, manual_backoff_s=0.5)
    first = rig.first_pick_for("anger")
    wait_for(lambda: client.status().get("nextsongid"), what="a queued pick")
    client.next()  # a person skips from their phone
    wait_for(lambda: feedback_of(client, first.file) == "anger:-0.34", what="the skip recorded")
    wait_for(lambda: not rig.service.director.backing_off(), what="back-off to expire")
    now = wait_for(lambda: playing_file(client), what="a playing track")
    wait_for(lambda: client.status().get("nextsongid"), what="a queued pick")
    rig.controls.trigger("next")  # the dashboard's Next button
    expected = "anger:-0.68" if now == first.file else "anger:-0.34"  # a second skip adds up
    wait_for(lambda: feedback_of(client, now) == expected, what="our Next recorded as a skip")
