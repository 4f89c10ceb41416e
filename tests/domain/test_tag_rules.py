"""Tag rules and mood playlists: which emotions a track's tags or playlist give it."""

from __future__ import annotations

from today_feeling.domain.tag_rules import explicit_emotions, parse_tag_rules, playlist_emotion


def test_tag_rules_match_case_insensitively_and_accept_aliases() -> None:
    rules = parse_tag_rules(["genre~metal=angry", "comment~rainy day=sad,calm"])
    assert explicit_emotions("a", {"genre": "Death Metal"}, rules, {}) == (("anger",), "tag")
    assert explicit_emotions("b", {"comment": ["x", "A Rainy Day"]}, rules, {}) == (
        ("sadness", "neutral"), "tag")
    assert explicit_emotions("c", {"genre": "Pop"}, rules, {}) == ((), "")
    # a per-emotion playlist wins over tags
    assert explicit_emotions("a", {"genre": "metal"}, rules, {"a": ("happiness",)}) == (
        ("happiness",), "playlist")


def test_playlist_names() -> None:
    assert playlist_emotion("mood-Sad", "mood-") == "sadness"
    assert playlist_emotion("mood-party", "mood-") is None
    assert playlist_emotion("mood-happiness", "") is None
