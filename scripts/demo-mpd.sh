#!/bin/sh
# A private MPD for the demo, with a generated demo library indexed by mood. It never
# touches a system MPD: its config, database, stickers and music live under DIR.
#
#   scripts/demo-mpd.sh [DIR]                  # foreground; Ctrl-C (or SIGTERM) stops it
#   MPD_PORT=6601 AUDIO=pulse COUNT=16 scripts/demo-mpd.sh
#
# AUDIO=null (default) plays silently in real time (the director still works and the
# dashboard shows the tracks); AUDIO=pulse, pipewire or alsa plays through the speakers.
# Then, in another terminal:
#
#   today-feeling run --mpd 127.0.0.1:6601 ...
#   mpc -p 6601 playlist      # watch the director queue tracks (apt-get install mpc)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-${TMPDIR:-/tmp}/today-feeling-demo-mpd}
port=${MPD_PORT:-6601}
audio=${AUDIO:-null}
count=${COUNT:-12}
python=${PYTHON:-$here/.venv/bin/python}
[ -x "$python" ] || python=$(command -v python3)

mkdir -p "$dir"
if [ ! -d "$dir/music" ]; then
    "$python" -m today_feeling library demo "$dir/music.part" --count "$count"
    mv "$dir/music.part" "$dir/music"   # a half-written library is regenerated next time
fi
# exec: the signal that stops this script reaches the process that stops mpd.
exec "$python" -m today_feeling_dev.local_mpd "$dir" --port "$port" --audio "$audio" --scan
