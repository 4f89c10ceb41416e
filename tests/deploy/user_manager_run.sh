#!/bin/bash
# Run a command as a transient service of a private systemd user manager, with the given unit
# properties, where PID 1 is not systemd (containers, CI). Called by test_unit_sandbox.py inside
# `unshare --mount`: the tmpfs over /run (with the "booted with systemd" marker the manager
# insists on) is visible to this process tree only.
#   usage: user_manager_run.sh PROPERTIES_FILE COMMAND [ARGS...]
set -u
props_file=$1
shift
mount --make-rshared / || exit 90
mount -t tmpfs tmpfs /run || exit 90
mkdir -p /run/systemd/system /run/user/0
chmod 700 /run/user/0
export XDG_RUNTIME_DIR=/run/user/0
/lib/systemd/systemd --user >/dev/null 2>&1 &
manager=$!
trap 'kill "$manager" 2>/dev/null; wait "$manager" 2>/dev/null' EXIT
ready=0
for _ in $(seq 1 100); do
    if systemctl --user show-environment >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.1
done
[ "$ready" = 1 ] || exit 91
props=()
while IFS= read -r line; do
    [ -n "$line" ] && props+=(-p "$line")
done <"$props_file"
timeout 300 systemd-run --user --wait --pipe --quiet "${props[@]}" "$@"
