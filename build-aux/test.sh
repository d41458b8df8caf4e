#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing (build and test packages), builds _build with
# warnings as errors and runs every test: UI tests under Xvfb, on a private
# D-Bus session bus. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. build-aux/deps.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" || exit 1
setup_build _build -Dwerror=true || exit 1
if ! meson compile -C _build; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

log=_build/meson-logs/testlog.json
rm -f "$log"
# Tests must never reach a desktop session of the person running them.
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
  dbus-run-session -- \
  meson test -C _build --print-errorlogs --num-processes 2 "$@"
meson_status=$?

if [ ! -s "$log" ]; then
  echo "meson test wrote no log (exit status $meson_status)"
  echo "0 passed, 1 failed"
  exit 1
fi

read -r passed failed < <(/usr/bin/python3 - "$log" <<'PY'
import json, sys
passed = failed = 0
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL", "SKIP"):
            passed += result != "SKIP"
        else:
            failed += 1
print(passed, failed)
PY
)

if [ "$meson_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
