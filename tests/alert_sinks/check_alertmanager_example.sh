#!/usr/bin/env bash
# ctest alertmanager_example_config: deploy/alertmanager/alertmanager.yml loads, routes
# P1 / P2 / P3 yuqing alerts to the pager, the chat and the e-mail digest, and routes the
# engine's own alerts (deploy/prometheus/yuqing-rules.yml: service="yuqing-engine") to the SRE
# receivers, never to a brand receiver.
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

# Engine (SRE) alerts, with the labels Prometheus gives them (rule labels + job/instance).
expect_sre() {
  local name="$1" severity="$2" want="$3" got
  got=$("$amtool" config routes test --config.file="$config" alertname="$name" service=yuqing-engine \
        severity="$severity" job=yuqing instance=127.0.0.1:8080 2>/dev/null)
  if [ "$got" != "$want" ]; then
    echo "FAIL: SRE alert $name ($severity) routes to '$got', expected '$want'" >&2
    exit 1
  fi
  echo "SRE $name ($severity) -> $got"
}
# Every rule of the Prometheus file, with its own severity.
rules="$(dirname "$config")/../prometheus/yuqing-rules.yml"
n=0
while read -r name severity; do
  case "$severity" in
    critical) expect_sre "$name" critical sre-pager ;;
    warning) expect_sre "$name" warning sre-ticket ;;
    *) echo "FAIL: rule $name has severity '$severity' (critical or warning expected)" >&2; exit 1 ;;
  esac
  n=$((n + 1))
done < <(awk '/- alert:/ {name=$3} /labels:/ && name != "" {if (match($0, /severity: *[a-z]+/)) {s=substr($0, RSTART, RLENGTH); sub(/severity: */, "", s); print name, s; name=""}}' "$rules")
if [ "$n" -lt 5 ]; then
  echo "FAIL: read only $n rules from $rules" >&2
  exit 1
fi
# A brand alert that happens to carry severity=critical still goes by its tier.
got=$("$amtool" config routes test --config.file="$config" alertname=yuqing tier=P3 brand=acme severity=critical 2>/dev/null)
[ "$got" = pr-team-email ] || { echo "FAIL: brand P3 with severity=critical routes to '$got'" >&2; exit 1; }
echo "all routes as documented"
