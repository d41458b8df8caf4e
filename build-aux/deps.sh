# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by run.sh and test.sh: the Debian 12 packages the project needs and
# a function that installs the missing ones.

BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev
  libsoup-3.0-dev libjson-glib-dev libsqlite3-dev
  libssh2-1-dev libnotify-dev libsodium-dev libsecret-1-dev
  libcairo2-dev libpango1.0-dev libcurl4-openssl-dev
  desktop-file-utils appstream
)

TEST_PACKAGES=(
  xvfb xauth dbus dbus-x11 at-spi2-core
  gnome-keyring python3-dbusmock python3-aiosmtpd
  openssh-server openssh-client
  sqlite3 busybox strace tzdata fonts-dejavu-core
  clang libclang-rt-14-dev
)

# ensure_packages PKG...: installs what is missing (apt-get as root; otherwise
# prints the exact command to run and fails).
ensure_packages () {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || return 1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || return 1
  else
    echo "Missing packages. Install them with:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
}

# setup_build DIR [MESON OPTIONS...]: configures DIR once, reconfigures with
# the given options afterwards.
setup_build () {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    rm -rf "$dir"
    meson setup "$dir" "$@"
  fi
}
