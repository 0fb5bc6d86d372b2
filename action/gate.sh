#!/usr/bin/env bash
# The step of the mapiconf GitHub Action (action.yml): runs the suite, with
# the reports written into $MAPICONF_REPORT_DIR, adds the Markdown summary to
# the job's summary, and exits with the gate's status. Plain shell, so that
# it runs the same anywhere (docs/commands_test.go runs it).
#
#   MAPICONF_GO_TEST   a package pattern: run the provider's Go adapter test
#                      (conformance.Run writes the reports); go test's exit
#                      status is the gate: every failed spec fails it
#   otherwise          build the mapiconf command from the action's checkout
#                      and run mapiconf test, which reads the other MAPICONF_
#                      variables (mapiconf help test)
set -uo pipefail

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
  (cd "$here" && go build -o "$bin/mapiconf" ./cmd/mapiconf) || exit 2
  "$bin/mapiconf" test
  status=$?
fi

if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$MAPICONF_REPORT_DIR/mapiconf.md" ]; then
  cat "$MAPICONF_REPORT_DIR/mapiconf.md" >> "$GITHUB_STEP_SUMMARY"
fi
echo "mapiconf: reports in $MAPICONF_REPORT_DIR; gate exit status $status"
exit "$status"
