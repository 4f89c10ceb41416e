"""Telling a person's changes from our own, without MPD: the verdicts the session acts on."""

from __future__ import annotations

import pytest

from tests.support.clock import ManualClock
from today_feeling.music.attribution import END_SLACK_S, EXPECT_S, Attribution, SongChangeVerdict
from today_feeling.music.catalog import PlayerSnapshot

TRACK_S = 200.0


def playing(song_id: str | None = "1", *, elapsed: float = 10.0, at: float = 0.0,
            state: str = "play", duration: float = TRACK_S) -> PlayerSnapshot:
    return PlayerSnapshot(song_id=song_id, state=state, elapsed=elapsed, duration=duration, at=at)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(100.0)


@pytest.fixture
def ours(clock: ManualClock) -> Attribution:
    return Attribution(clock)


def test_a_queue_version_we_made_is_ours_and_an_unknown_one_a_persons_edit_once(ours: Attribution) -> None:
    ours.own_queue("7")
    assert not ours.queue_edited("7", consumed=False)
    assert ours.queue_edited("9", consumed=False)
    assert not ours.queue_edited("9", consumed=False)  # the person's version is the new baseline


def test_consume_mode_removing_the_finished_song_is_no_edit_but_moves_the_baseline(ours: Attribution) -> None:
    ours.own_queue("7")
    assert not ours.queue_edited("8", consumed=True)
    assert ours.queue_edited("9", consumed=False)
    assert not ours.queue_edited("9", consumed=False)


def test_a_song_change_mid_track_that_we_did_not_cause_is_a_skip(
        ours: Attribution, clock: ManualClock) -> None:
    old = playing(at=clock.now)
    assert ours.song_change(old, playing("2", at=clock.now)) == SongChangeVerdict(skipped=True, stopped=False)


def test_our_own_change_is_expected_once_and_only_for_a_while(
        ours: Attribution, clock: ManualClock) -> None:
    ours.expect_song_change()
    clock.now += EXPECT_S - 0.1
    old, new = playing(at=clock.now), playing("2", at=clock.now)
    assert ours.song_change(old, new) == SongChangeVerdict(skipped=False, stopped=False)
    assert ours.song_change(new, playing("3", at=clock.now)).skipped  # used up by the first
    ours.expect_song_change()
    clock.now += EXPECT_S + 0.1
    assert ours.song_change(playing(at=clock.now), playing("4", at=clock.now)).skipped  # expired


def test_a_track_that_played_to_its_end_is_no_skip(
        ours: Attribution, clock: ManualClock) -> None:
    # last seen 20 s before its end; the clock moves it on while it plays
    old = playing(elapsed=TRACK_S - 20, at=clock.now)
    clock.now += 20 - END_SLACK_S
    assert ours.near_end(old)
    assert ours.song_change(old, playing("2", at=clock.now)) == SongChangeVerdict(False, False)


def test_a_paused_track_does_not_advance_so_changing_it_is_a_skip(
        ours: Attribution, clock: ManualClock) -> None:
    old = playing(elapsed=TRACK_S - 20, at=clock.now, state="pause")
    clock.now += 60
    assert not ours.near_end(old)
    assert ours.song_change(old, playing("2", at=clock.now)).skipped


def test_an_unknown_duration_counts_as_the_end_and_no_song_before_is_no_skip(ours: Attribution) -> None:
    assert ours.near_end(playing(duration=0.0))
    assert not ours.song_change(playing(duration=0.0), playing("2")).skipped
    assert not ours.song_change(playing(None, state="stop"), playing("2")).skipped


def test_a_stop_mid_track_is_a_persons_unless_we_expected_the_change(
        ours: Attribution, clock: ManualClock) -> None:
    stopped = playing(None, state="stop", at=clock.now)
    assert ours.song_change(playing(at=clock.now), stopped) == SongChangeVerdict(skipped=True, stopped=True)
    ours.expect_song_change()
    assert ours.song_change(playing(at=clock.now), stopped) == SongChangeVerdict(False, False)
    at_end = playing(elapsed=TRACK_S - 1, at=clock.now)
    assert ours.song_change(at_end, stopped) == SongChangeVerdict(False, False)  # the queue ran out


def test_a_pause_we_did_not_ask_for_is_a_persons(
        ours: Attribution, clock: ManualClock) -> None:
    old = playing(at=clock.now)
    paused = playing(state="pause", at=clock.now)
    assert ours.state_change(old, paused) == "pause"
    ours.expect_state("play")  # expecting another state excuses nothing
    assert ours.state_change(old, paused) == "pause"
    ours.expect_state("pause")
    assert ours.state_change(old, paused) is None
    clock.now += EXPECT_S + 0.1
    assert ours.state_change(old, paused) == "pause"


def test_a_stop_is_a_persons_unless_the_track_played_out(
        ours: Attribution, clock: ManualClock) -> None:
    stopped = playing(state="stop", at=clock.now)
    assert ours.state_change(playing(at=clock.now), stopped) == "stop"
    assert ours.state_change(playing(state="pause", at=clock.now), stopped) == "stop"
    assert ours.state_change(playing(elapsed=TRACK_S - 1, at=clock.now), stopped) is None
    assert ours.state_change(playing(state="pause", at=clock.now), playing(at=clock.now)) is None  # play
