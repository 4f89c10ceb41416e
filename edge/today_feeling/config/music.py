"""Settings for the MPD adapter, the library mood index and the music director."""

from __future__ import annotations

from dataclasses import dataclass

from today_feeling.config.addresses import check_mpd_address
from today_feeling.config.schema import setting
from today_feeling.domain.controls import Mode
from today_feeling.domain.quiet_hours import QuietHours
from today_feeling.domain.tag_rules import parse_tag_rules


@dataclass(frozen=True)
class MpdSettings:
    """How to reach the local MPD, and where its music files are for audio analysis."""

    address: str = setting(
        "localhost:6600", "MPD as HOST:PORT or a Unix socket path; 'off' runs without music",
        check=check_mpd_address,
    )
    password_file: str = setting(
        "", "File whose first line is the MPD password; empty when MPD needs none "
        "(a file, not the password itself, so the config can be world-readable)"
    )
    timeout_s: float = setting(
        5.0, "Connect and command timeout; a silent MPD is treated as gone after this",
        unit="seconds", min=0.1, max=120,
    )
    retry_initial_s: float = setting(
        0.5, "First wait before reconnecting to an MPD that went away", unit="seconds",
        min=0.01, max=60,
    )
    retry_max_s: float = setting(
        30.0, "Longest wait between reconnect attempts (backoff doubles up to this)",
        unit="seconds", min=0.01, max=3600,
    )
    music_directory: str = setting(
        "", "Where MPD's music files are on this machine, for audio analysis; empty asks MPD "
        "(works over a Unix socket), then tries /var/lib/mpd/music. With Mopidy's local "
        "library, its local/media_dir"
    )
    local_index: str = setting(
        "/var/lib/today-feeling/music-index.sqlite3",
        "Where the library's mood index is kept when the music server has no stickers "
        "(Mopidy, or an MPD without sticker_file); servers with stickers keep it themselves",
    )

    def __post_init__(self) -> None:
        if self.retry_max_s < self.retry_initial_s:
            raise ValueError("mpd.retry_max_s must be >= mpd.retry_initial_s")


@dataclass(frozen=True)
class DirectorSettings:
    """How music follows the mood (see docs/music.md)."""

    mode: Mode = setting(
        "match", "'match' plays music that fits the mood, 'lift' moves gently toward a calmer or "
        "happier target, 'off' leaves MPD alone"
    )
    history_size: int = setting(
        20, "A track is not picked again while it is among this many recently played tracks",
        unit="tracks", min=0, max=10000,
    )
    manual_backoff_s: float = setting(
        300.0, "After a person skips, pauses, stops or edits the queue from any MPD client, "
        "the director leaves MPD alone this long", unit="seconds", min=0, max=86400,
    )
    switch_after_stable_s: float = setting(
        0.0, "0 never cuts a playing track (the pick plays at the track boundary); above 0, "
        "skip to the pick once the mood has been stable this long and the playing track does "
        "not fit it", unit="seconds", min=0, max=3600,
    )
    fit_distance: float = setting(
        0.6, "A track 'fits' a target when its valence/arousal point is at most this far from it",
        min=0.05, max=3,
    )
    variety: float = setting(
        0.15, "Picks are drawn at random among tracks at most this much farther from the target "
        "than the nearest one (0 always takes the nearest)", min=0, max=3,
    )
    feedback_weight: float = setting(
        0.2, "How much closer a track the listener liked in the current mood is treated (at the "
        "score limit of 3 likes; skips push it away the same way); 0 ignores thumbs and skips. "
        "A thumbs down (or three skips) in a mood leaves the track out for that mood",
        min=0, max=2,
    )
    lift_target_valence: float = setting(
        0.5, "Lift mode: valence the music moves toward (-1 sad .. 1 happy)", min=-1, max=1
    )
    lift_target_arousal: float = setting(
        -0.2, "Lift mode: arousal the music moves toward (-1 calm .. 1 energetic)", min=-1, max=1
    )
    lift_steps: int = setting(
        4, "Lift mode: steps from the listener's mood to the target; the first pick matches "
        "the mood (iso principle), each next one moves a step, the last (pick lift_steps+1) "
        "is at the target", unit="tracks", min=1, max=50,
    )
    quiet_hours: str = setting(
        "", "Daily local time span 'HH:MM-HH:MM' (e.g. '22:00-07:00', may wrap past midnight) in "
        "which the director never starts playback and the volume is capped at quiet_volume; "
        "'' for none. MQTT (quiet_hours/set), Home Assistant and the dashboard change it at run time",
    )
    quiet_volume: int = setting(
        25, "Highest player volume during quiet hours", unit="percent", min=0, max=100,
    )
    volume_ramp_s: float = setting(
        2.0, "Volume changes asked for by MQTT or the dashboard are ramped over this long",
        unit="seconds", min=0, max=60,
    )
    playlist_prefix: str = setting(
        "mood-", "Stored MPD playlists named PREFIX+emotion (e.g. 'mood-happiness', "
        "'mood-sad') mark their tracks as suiting that emotion; empty disables"
    )
    tag_rules: tuple[str, ...] = setting(
        (), "Rules 'TAG~text=emotion[,emotion]' matched case-insensitively on tags such as "
        "genre, comment, grouping (e.g. 'genre~metal=anger'); they override audio analysis"
    )
    auto_scan: bool = setting(
        True, "Analyse new or changed files when MPD reports a database update (needs the "
        "music files on this machine)"
    )
    analysis_window_s: float = setting(
        45.0, "Audio analysed per track, taken from its middle (shorter is faster on a Pi)",
        unit="seconds", min=2, max=600,
    )

    def __post_init__(self) -> None:
        parse_tag_rules(self.tag_rules)  # raises ValueError naming the bad rule
        try:
            QuietHours.parse(self.quiet_hours)
        except ValueError as err:
            raise ValueError(f"quiet_hours: {err}") from err
