#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds into _build and runs the app from the
# build tree (schemas and resources found without installing).
# Arguments are passed to the app: build-aux/run.sh --data-dir /tmp/sm
set -euo pipefail
cd "$(dirname "$0")/.."
. build-aux/deps.sh

ensure_packages "${BUILD_PACKAGES[@]}"
setup_build _build
meson compile -C _build

export GSETTINGS_SCHEMA_DIR="$PWD/_build/data"
exec "$PWD/_build/src/status-monitor" "$@"
