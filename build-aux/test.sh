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

logs=(_build/meson-logs/testlog.json)
rm -f "${logs[0]}"
# Tests must never reach a desktop session of the person running them.
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
  dbus-run-session -- \
  meson test -C _build --print-errorlogs --num-processes 2 "$@"
meson_status=$?

# The parsers' fuzz targets run for a short time where libFuzzer (clang)
# is available; they build in their own tree with clang and sanitizers.
if [ -f tests/fuzz/meson.build ] && command -v clang >/dev/null &&
   echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
     clang -fsanitize=fuzzer -x c - -o /tmp/sm-libfuzzer-probe.$$ 2>/dev/null; then
  rm -f /tmp/sm-libfuzzer-probe.$$
  if CC=clang setup_build _build-fuzz -Dfuzz=true &&
     meson compile -C _build-fuzz tests/fuzz/fuzz-collector tests/fuzz/fuzz-checks; then
    rm -f _build-fuzz/meson-logs/testlog.json
    meson test -C _build-fuzz --no-rebuild --suite fuzz --print-errorlogs || meson_status=1
    logs+=(_build-fuzz/meson-logs/testlog.json)
  else
    echo "fuzz targets failed to build"
    meson_status=1
  fi
else
  echo "libFuzzer (clang) not available: fuzz targets not run"
fi

if [ ! -s "${logs[0]}" ]; then
  echo "meson test wrote no log (exit status $meson_status)"
  echo "0 passed, 1 failed"
  exit 1
fi

read -r passed failed < <(/usr/bin/python3 - "${logs[@]}" <<'PY'
import json, os, sys
passed = failed = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        failed += 1
        continue
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result != "SKIP":
                failed += 1
print(passed, failed)
PY
)

if [ "$meson_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
