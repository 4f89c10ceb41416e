#!/bin/sh
# A local mosquitto for the demo: docs/mosquitto/today-feeling.conf + .acl with demo users,
# an MQTT listener and a websockets listener for the dashboard, on loopback by default.
#
#   scripts/demo-broker.sh [DIR]        # foreground; Ctrl-C stops it
#   MQTT_PORT=1883 WS_PORT=9001 BIND=127.0.0.1 DEMO_PASSWORD=demo scripts/demo-broker.sh
#
# Users (all with password $DEMO_PASSWORD, default "demo"; demo only): today-feeling (the
# device), controller (may send commands), reader (read-only), homeassistant. Anonymous
# clients may read. The device's password is written as a systemd-style credential, so:
#
#   CREDENTIALS_DIRECTORY=DIR/credentials today-feeling run \
#       --mqtt mqtt://today-feeling@127.0.0.1:1883 --mqtt-ws ws://127.0.0.1:9001 ...
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-${TMPDIR:-/tmp}/today-feeling-demo-broker}
mqtt_port=${MQTT_PORT:-1883}
ws_port=${WS_PORT:-9001}
bind=${BIND:-127.0.0.1}
# mosquitto 2.0.11 binds a websockets listener to every address whatever IP it is given; an
# interface name does work, so loopback is spelt "lo" there.
ws_bind=$bind
if [ "$bind" = 127.0.0.1 ]; then ws_bind=lo; fi
password=${DEMO_PASSWORD:-demo}
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
passwd_tool=$(command -v mosquitto_passwd || echo /usr/bin/mosquitto_passwd)

mkdir -p "$dir/credentials"
chmod 0700 "$dir"
: > "$dir/passwd"
chmod 0600 "$dir/passwd"
for user in today-feeling controller reader homeassistant; do
    "$passwd_tool" -b "$dir/passwd" "$user" "$password"
done
printf '%s\n' "$password" > "$dir/credentials/mqtt-password"
chmod 0600 "$dir/credentials/mqtt-password"
cp "$here/docs/mosquitto/today-feeling.acl" "$dir/acl"

{
    echo "user $(id -un)"          # as root, mosquitto would switch to a user that cannot read $dir
    echo "log_dest stdout"
    echo "persistence false"
    sed -e "s|^listener 1883\$|listener $mqtt_port $bind|" \
        -e "s|^listener 9001\$|listener $ws_port $ws_bind|" \
        -e "s|/etc/mosquitto/today-feeling.passwd\$|$dir/passwd|" \
        -e "s|/etc/mosquitto/today-feeling.acl\$|$dir/acl|" \
        "$here/docs/mosquitto/today-feeling.conf"
} > "$dir/mosquitto.conf"

cat <<INFO
demo broker: mqtt://$bind:$mqtt_port  ws://$bind:$ws_port  (config $dir/mosquitto.conf)
users today-feeling, controller, reader, homeassistant; password '$password' (demo only)
device: CREDENTIALS_DIRECTORY=$dir/credentials today-feeling run --mqtt mqtt://today-feeling@$bind:$mqtt_port --mqtt-ws ws://$bind:$ws_port ...
INFO
exec "$mosquitto" -c "$dir/mosquitto.conf"
