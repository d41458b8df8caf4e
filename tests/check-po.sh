#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that po/POTFILES.in lists every file with translatable strings and
# that every translation in po/LINGUAS is complete (no untranslated or fuzzy
# message). Usage: check-po.sh SOURCE_ROOT
set -eu
root=$1
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# 1. POTFILES.in is complete.
grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort > "$tmp/listed"
{
  grep -lE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|ngettext|g_dngettext) ?\(' src/*/*.c src/*.c 2>/dev/null || true
  grep -l 'translatable="yes"' ui/*.ui ui/*/*.ui 2>/dev/null || true
  echo com.example.StatusMonitor.desktop
  echo data/com.example.StatusMonitor.gschema.xml
  echo data/com.example.StatusMonitor.metainfo.xml
} | sort -u > "$tmp/needed"
missing=$(comm -23 "$tmp/needed" "$tmp/listed")
if [ -n "$missing" ]; then
  echo "po/POTFILES.in misses files with translatable strings:"
  echo "$missing"
  status=1
fi
gone=$(comm -13 "$tmp/needed" "$tmp/listed" | while read -r f; do [ -e "$f" ] || echo "$f"; done)
if [ -n "$gone" ]; then
  echo "po/POTFILES.in lists files that do not exist:"
  echo "$gone"
  status=1
fi

# 2. Every translation is complete against the current sources.
xgettext --from-code=UTF-8 --add-comments --files-from=po/POTFILES.in \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --package-name=status-monitor -o "$tmp/status-monitor.pot"
for lang in $(grep -v '^#' po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/status-monitor.pot" -o "$tmp/$lang.po"
  stats=$(LC_ALL=C msgfmt --statistics --output-file=/dev/null "$tmp/$lang.po" 2>&1)
  case "$stats" in
    *untranslated*|*fuzzy*)
      echo "po/$lang.po is incomplete: $stats"
      msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -A1 '^msgid ' | head -40
      status=1
      ;;
  esac
  msgfmt --check --output-file=/dev/null "po/$lang.po" || status=1
done
[ $status -eq 0 ] && echo "POTFILES complete; translations complete"
exit $status
