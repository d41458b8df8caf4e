#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a libFuzzer target for SECONDS on the collector fixtures as seeds.
# New corpus entries and crash artifacts go to the build directory, never
# into the source tree. Usage: run-fuzz.sh TARGET SECONDS SEED_DIR OUT_DIR
set -eu
target=$1 seconds=$2 seeds=$3 out=$4
mkdir -p "$out/corpus"
exec "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" -print_final_stats=1 "$out/corpus" "$seeds"
