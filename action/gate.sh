#!/usr/bin/env bash
# The step of the mapiconf GitHub Action (action.yml): runs the suite, with
# the reports written into $MAPICONF_REPORT_DIR, adds the Markdown summary to
# the job's summary, and exits with the gate's status. Plain shell, so that
# it runs the same anywhere (docs/workflow_test.go runs it).
#
#   MAPICONF_GO_TEST   a package pattern: run the provider's Go adapter test
#                      (conformance.Run writes the reports); go test's exit
#                      status is the gate: every failed spec fails it
#   otherwise          build the mapiconf command from the action's checkout
#                      and run mapiconf test, which reads the other MAPICONF_
#                      variables (mapiconf help test); with MAPICONF_DLL on
#                      Linux, first install Wine and mingw-w64 if missing,
#                      for the DLL's bitness (MAPICONF_ARCH, x64 or x86, or
#                      else read from the DLL's PE header; docs/dll.md)
set -uo pipefail

# dllArch prints the bitness of the DLL $1 from its PE header, x64 or x86:
# the machine type, two bytes after the "PE\0\0" signature, whose offset is
# at 0x3C.
dllArch() {
  local pe machine
  pe=$(od -An -t u4 -j 60 -N 4 "$1" 2>/dev/null | tr -d ' ') || return 0
  [ -n "$pe" ] || return 0
  machine=$(od -An -t x2 -j $((pe + 4)) -N 2 "$1" 2>/dev/null | tr -d ' ')
  case $machine in
    8664) echo x64 ;;
    014c) echo x86 ;;
  esac
}

# wineTools installs what mapiconf test -dll needs on Linux for bitness $1,
# when missing: on GitHub's Ubuntu runners with sudo, as root without. An
# x86 DLL runs on Wine's 32-bit side (wine32, from the i386 architecture)
# with a guard built by mingw-w64 for i686.
wineTools() {
  local missing=() i386=
  { command -v wine64 >/dev/null || [ -x /usr/lib/wine/wine64 ] || command -v wine >/dev/null; } || missing+=(wine64)
  { command -v wineserver >/dev/null || [ -x /usr/lib/wine/wineserver64 ] || [ -x /usr/lib/wine/wineserver ]; } || missing+=(wine64)
  if [ "$1" = x86 ]; then
    { [ -x /usr/lib/wine/wine ] || command -v wine >/dev/null; } || { missing+=(wine32:i386); i386=1; }
    command -v i686-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-i686)
  else
    command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "mapiconf: installing ${missing[*]}, to run the $1 provider DLL under Wine"
  if [ -n "$i386" ]; then
    $sudo dpkg --add-architecture i386 || return 1
  fi
  # sudo resets the environment: env sets DEBIAN_FRONTEND behind it.
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
}

dir=${MAPICONF_REPORT_DIR:-mapiconf-report}
mkdir -p "$dir"
MAPICONF_REPORT_DIR=$(cd "$dir" && pwd)
export MAPICONF_REPORT_DIR

if [ -n "${MAPICONF_GO_TEST:-}" ]; then
  args=(-run "${MAPICONF_GO_TEST_RUN:-TestConformance}")
  # shellcheck disable=SC2206 # a package pattern may be several words
  pkgs=($MAPICONF_GO_TEST)
  if [ -n "${MAPICONF_LABEL_FILTER:-}" ]; then
    go test "${args[@]}" "${pkgs[@]}" -args -ginkgo.label-filter="$MAPICONF_LABEL_FILTER"
  else
    go test "${args[@]}" "${pkgs[@]}"
  fi
  status=$?
else
  here=$(cd "$(dirname "$0")/.." && pwd)
  bin=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mapiconf-bin
  mkdir -p "$bin"
  exe="$bin/mapiconf$(go env GOEXE)"
  (cd "$here" && go build -o "$exe" ./cmd/mapiconf) || exit 2
  if [ -n "${MAPICONF_DLL:-}" ] && [ "$(uname -s)" = Linux ]; then
    # The bitness to install for: the input's, else the DLL's (mapiconf
    # test checks that the two agree, and names a DLL it cannot read).
    wineTools "${MAPICONF_ARCH:-$(dllArch "$MAPICONF_DLL")}" || exit 2
    # mapiconf cross-builds itself for Windows from this checkout.
    export MAPICONF_SOURCE="$here"
  fi
  "$exe" test
  status=$?
fi

if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$MAPICONF_REPORT_DIR/mapiconf.md" ]; then
  cat "$MAPICONF_REPORT_DIR/mapiconf.md" >> "$GITHUB_STEP_SUMMARY"
fi
echo "mapiconf: reports in $MAPICONF_REPORT_DIR; gate exit status $status"
exit "$status"
