#!/usr/bin/env bash
# Makes sure every program of test/required-programs.txt is here before a test
# runs (`npm test` calls this first). As root on Debian it installs what is
# missing; otherwise it prints one line per missing program saying how to
# install it, and exits 1 so that no test starts half-equipped.
set -euo pipefail
cd "$(dirname "$0")/.."

LIST=test/required-programs.txt

# An executable file of that name. The sbin folders hold dockerd but are not on a
# user's PATH; `command -v` alone also names a file that is not executable.
found() {
  local path="$1"
  case "$path" in
    /*) ;;
    *) path="$(PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$1")" || return 1 ;;
  esac
  [ -f "$path" ] && [ -x "$path" ]
}

# program<TAB>how for each missing program.
missing_programs() {
  local program how
  while read -r program how; do
    case "$program" in "" | \#*) continue ;; esac
    found "$program" || printf '%s\t%s\n' "$program" "$how"
  done <"$LIST"
}

is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

install_missing() {
  local missing="$1" packages="" modules="" program how
  while IFS=$'\t' read -r program how; do
    case "$how" in
      apt:*) packages="$packages ${how#apt:}" ;;
      go:*) modules="$modules ${how#go:}" ;;
    esac
  done <<<"$missing"
  if [ -n "$packages" ]; then
    echo "ensure-test-deps: apt-get install$packages" >&2
    apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
  fi
  for module in $modules; do
    if command -v go >/dev/null 2>&1; then
      echo "ensure-test-deps: go install $module" >&2
      GOBIN=/usr/local/bin go install "$module"
    fi
  done
}

# One line per missing program: what it is and the command that installs it.
explain() {
  local program how
  while IFS=$'\t' read -r program how; do
    case "$how" in
      apt:*) echo "missing: $program (Debian package ${how#apt:}): apt-get install -y ${how#apt:}" ;;
      go:*) echo "missing: $program (built with Go 1.22 or later): GOBIN=/usr/local/bin go install ${how#go:}" ;;
      *) echo "missing: $program: $how" ;;
    esac
  done <<<"$1"
}

missing="$(missing_programs)"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && is_debian; then
  install_missing "$missing"
  missing="$(missing_programs)"
  [ -z "$missing" ] && exit 0
fi

explain "$missing" >&2
if [ "$(id -u)" != 0 ]; then
  echo "The tests need the programs above. Install them, or run npm test as root on Debian to have them installed." >&2
elif ! is_debian; then
  echo "The tests need the programs above; only on Debian does npm test install them itself." >&2
else
  echo "The tests need the programs above, which could not be installed." >&2
fi
exit 1
