#!/usr/bin/env bash
# ctest alertmanager_example_config: deploy/alertmanager/alertmanager.yml loads, and routes
# P1 / P2 / P3 yuqing alerts to the pager, the chat and the e-mail digest.
# Usage: check_alertmanager_example.sh AMTOOL CONFIG
set -euo pipefail
amtool="$1"
config="$2"
"$amtool" check-config "$config"
expect() {
  local tier="$1" want="$2" got
  got=$("$amtool" config routes test --config.file="$config" alertname=yuqing tier="$tier" brand=acme \
        alert_id=acme:negative_ratio:1 detector=negative_ratio 2>/dev/null)
  if [ "$got" != "$want" ]; then
    echo "FAIL: tier $tier routes to '$got', expected '$want'" >&2
    exit 1
  fi
  echo "tier $tier -> $got"
}
expect P1 oncall-pager
expect P2 pr-team-chat
expect P3 pr-team-email
