#!/usr/bin/env bash
# Alert evaluation over generated scenarios (issue 6): for each scenario x seed, generate a
# stream with `yuqing gen --scenario`, replay it through `yuqing run` on a temporary copy of
# the rules whose alerts.yaml sends every alert to a file sink, and score the alerts against
# the scenario's ground truth (its `type: crisis` events). Prints a markdown report (precision,
# recall, detection delays in event time, the false positives) on stdout; progress on stderr.
#
# Usage: scripts/alert-eval.sh [options]      (scripts/alert-eval.sh --help)
# Needs: bash, python3 (standard library; PyYAML is used when present), a built yuqing.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEFAULT_SCENARIOS="calm,demo-crisis,skyhop-meltdown,influencer-crisis,safety-burst,service-complaints,rival-crisis,viral-campaign"

usage() {
  cat <<EOF
Usage: scripts/alert-eval.sh [options]

Scores yuqing's tiered alerts on generated scenarios. For every scenario and seed:
  yuqing gen --rules R --scenario S --seed N --count C --start T > in.jsonl
  yuqing run --rules R --input in.jsonl --state ST --exit-at-eof --http off
where R is a temporary copy of the rules whose alerts.yaml has its sinks replaced by one file
sink. Ground truth: a scenario's 'type: crisis' events are crises of their brand from
start_minute to start_minute + duration_minutes; nothing else is.

  TP  a crisis that got a P1 or P2 alert (opened or escalated) for its brand between its
      start and its end + --grace minutes
  FN  a crisis without one
  FP  a (run, brand) with a P1/P2 alert that no crisis explains: a brand not in crisis (any
      P1/P2 in calm or campaign-only scenarios), or a crisis brand outside its crisis window
  precision = TP / (TP + FP), recall = TP / (TP + FN); delays are event time from the
  crisis start to the first P2-or-higher and the first P1.

Options:
  --bin PATH          yuqing binary (default: \$YUQING_BIN, else build/yuqing)
  --rules DIR         rules to copy and evaluate (default: rules)
  --scenarios LIST    comma-separated names in rules/scenarios/ or paths to .yaml files
                      (default: $DEFAULT_SCENARIOS)
  --seeds LIST        comma-separated generator seeds (default: 1,2,3)
  --count N           lines per generated stream, the same for every scenario (default: 100000,
                      about 160 minutes of event time at the generator's 600 mentions/min)
  --start TIME        event time of the first line, RFC 3339 UTC (default: 2026-11-01T00:00:00Z)
  --grace MIN         minutes after a crisis ends in which its brand's P1/P2 still counts as
                      detecting it (default: 30, the longest detector window but share of voice)
  --work DIR          working directory (default: a new temporary one, removed at the end)
  --keep              keep the working directory (streams, alert files, logs)
  --json FILE         also write the per-run results as JSON
  --out FILE          write the markdown report to FILE instead of stdout
  -h, --help          this help

Exit status: 0 done, 1 a gen/run step failed, 2 bad usage.
EOF
}

die_usage() { echo "alert-eval: $*" >&2; echo "Try 'scripts/alert-eval.sh --help'." >&2; exit 2; }

BIN="${YUQING_BIN:-$ROOT/build/yuqing}"
RULES="$ROOT/rules"
SCENARIOS="$DEFAULT_SCENARIOS"
SEEDS="1,2,3"
COUNT=100000
START="2026-11-01T00:00:00Z"
GRACE=30
WORK=""
KEEP=0
JSON_OUT=""
OUT=""

need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die_usage "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --bin) need_arg "$@"; BIN="$2"; shift 2 ;;
    --rules) need_arg "$@"; RULES="$2"; shift 2 ;;
    --scenarios) need_arg "$@"; SCENARIOS="$2"; shift 2 ;;
    --seeds) need_arg "$@"; SEEDS="$2"; shift 2 ;;
    --count) need_arg "$@"; COUNT="$2"; shift 2 ;;
    --start) need_arg "$@"; START="$2"; shift 2 ;;
    --grace) need_arg "$@"; GRACE="$2"; shift 2 ;;
    --work) need_arg "$@"; WORK="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --json) need_arg "$@"; JSON_OUT="$2"; shift 2 ;;
    --out) need_arg "$@"; OUT="$2"; shift 2 ;;
    --*=*) die_usage "write '${1%%=*} VALUE', not '$1'" ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
done

[[ "$COUNT" =~ ^[1-9][0-9]*$ ]] || die_usage "--count must be a positive integer, got '$COUNT'"
[[ "$GRACE" =~ ^[0-9]+([.][0-9]+)?$ ]] || die_usage "--grace must be a number of minutes, got '$GRACE'"
[[ "$SEEDS" =~ ^[0-9]+(,[0-9]+)*$ ]] || die_usage "--seeds must be a comma-separated list of integers, got '$SEEDS'"
[[ "$START" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]] \
  || die_usage "--start must be RFC 3339 UTC like 2026-11-01T00:00:00Z, got '$START'"
[ -x "$BIN" ] || die_usage "no yuqing binary at '$BIN' (build it, or give --bin / YUQING_BIN)"
[ -f "$RULES/alerts.yaml" ] && [ -d "$RULES/brands" ] || die_usage "'$RULES' is not a rules folder (needs alerts.yaml and brands/)"
command -v python3 >/dev/null || die_usage "python3 is required"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
RULES="$(cd "$RULES" && pwd)"

# Resolve scenario names to files (names are looked up in the evaluated rules first).
SCEN_FILES=()
IFS=',' read -r -a scen_list <<<"$SCENARIOS"
[ ${#scen_list[@]} -gt 0 ] || die_usage "--scenarios is empty"
for s in "${scen_list[@]}"; do
  [ -n "$s" ] || die_usage "--scenarios has an empty entry"
  if [ -f "$s" ]; then f="$s"
  elif [ -f "$RULES/scenarios/$s.yaml" ]; then f="$RULES/scenarios/$s.yaml"
  elif [ -f "$ROOT/rules/scenarios/$s.yaml" ]; then f="$ROOT/rules/scenarios/$s.yaml"
  else die_usage "no scenario '$s' (looked for a file, $RULES/scenarios/$s.yaml, $ROOT/rules/scenarios/$s.yaml)"
  fi
  SCEN_FILES+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done
IFS=',' read -r -a seed_list <<<"$SEEDS"

if [ -z "$WORK" ]; then
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/yuqing-alert-eval.XXXXXX")"
  [ "$KEEP" = 1 ] || trap 'rm -rf "$WORK"' EXIT
  trap 'exit 130' INT TERM  # so that the EXIT trap cleans up
else
  mkdir -p "$WORK"
  WORK="$(cd "$WORK" && pwd)"
fi

# The rules copy: the evaluated rules with every configured sink replaced by one file sink
# (a real webhook or chat robot must never be paged by an evaluation).
EVAL_RULES="$WORK/rules"
rm -rf "$EVAL_RULES"
cp -r "$RULES" "$EVAL_RULES"
python3 - "$EVAL_RULES/alerts.yaml" <<'PY'
import re, sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
out, skipping = [], False
for line in lines:
    if re.match(r"^sinks\s*:", line):
        skipping = True
        continue
    if skipping and re.match(r"^[^\s#]", line):
        skipping = False
    if not skipping:
        out.append(line)
text = "\n".join(out).rstrip("\n")
text += "\n\n# added by scripts/alert-eval.sh: {ALERTS_FILE} is replaced per run\nsinks:\n  - name: alert-eval\n    type: file\n    path: {ALERTS_FILE}\n"
open(path + ".template", "w", encoding="utf-8").write(text)
PY

RUNS_TSV="$WORK/runs.tsv"
: >"$RUNS_TSV"
total=$(( ${#SCEN_FILES[@]} * ${#seed_list[@]} ))
i=0
t0=$SECONDS
for sf in "${SCEN_FILES[@]}"; do
  name="$(basename "$sf" .yaml)"
  for seed in "${seed_list[@]}"; do
    i=$((i + 1))
    dir="$WORK/runs/$name-seed$seed"
    rm -rf "$dir"; mkdir -p "$dir"
    alerts="$dir/alerts.jsonl"
    sed "s|{ALERTS_FILE}|$alerts|" "$EVAL_RULES/alerts.yaml.template" >"$EVAL_RULES/alerts.yaml"
    echo "alert-eval: [$i/$total] $name seed $seed: gen --count $COUNT" >&2
    if ! "$BIN" gen --rules "$EVAL_RULES" --scenario "$sf" --seed "$seed" --count "$COUNT" --start "$START" \
        --out "$dir/in.jsonl" 2>"$dir/gen.log"; then
      echo "alert-eval: yuqing gen failed for $name seed $seed:" >&2; cat "$dir/gen.log" >&2; exit 1
    fi
    if ! "$BIN" run --rules "$EVAL_RULES" --input "$dir/in.jsonl" --state "$dir/state" --exit-at-eof \
        --http off --log-level warn >"$dir/run.out" 2>"$dir/run.log"; then
      echo "alert-eval: yuqing run failed for $name seed $seed:" >&2; tail -20 "$dir/run.log" >&2; exit 1
    fi
    touch "$alerts"
    # Event time of the stream's last line (created_at is RFC 3339 or epoch ms).
    stream_end="$(tail -n 1 "$dir/in.jsonl" | python3 -c '
import json, sys
from datetime import datetime
t = json.loads(sys.stdin.read())["created_at"]
print(t if isinstance(t, int) else int(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000))')"
    summary="$(grep -h '^summary:' "$dir/run.out" "$dir/run.log" | tail -1 || true)"
    echo "alert-eval: [$i/$total] $name seed $seed: $(wc -l <"$alerts") alert changes; ${summary:-no summary line} ($((SECONDS - t0)) s so far)" >&2
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$sf" "$seed" "$alerts" "$summary" "$stream_end" >>"$RUNS_TSV"
    rm -f "$dir/in.jsonl"
    [ "$KEEP" = 1 ] || rm -rf "$dir/state"
  done
done
cp "$RULES/alerts.yaml" "$EVAL_RULES/alerts.yaml"  # leave the copy as evaluated, without the sink

CMDLINE="scripts/alert-eval.sh --scenarios $SCENARIOS --seeds $SEEDS --count $COUNT --grace $GRACE"
[ "$RULES" = "$ROOT/rules" ] || CMDLINE+=" --rules $RULES"

report() {
python3 - "$RUNS_TSV" "$START" "$GRACE" "$COUNT" "$CMDLINE" "$JSON_OUT" "$BIN" <<'PY'
import json, re, sys
from collections import defaultdict
from datetime import datetime, timezone

runs_tsv, start_s, grace_min, count, cmdline, json_out, binary = sys.argv[1:8]
grace_ms = float(grace_min) * 60_000

def ms(t):
    return int(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000)

t0 = ms(start_s)

def load_scenario(path):
    """Crisis and campaign events of a scenario file (PyYAML when present, else the simple
    block format of rules/scenarios/README.md)."""
    text = open(path, encoding="utf-8").read()
    try:
        import yaml
        doc = yaml.safe_load(text) or {}
        return [dict(e) for e in (doc.get("events") or [])]
    except ImportError:
        pass
    events, cur, in_events = [], None, False
    for raw in text.split("\n"):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if re.match(r"^events\s*:", line):
            in_events = True
            if line.split(":", 1)[1].strip() == "[]":
                in_events = False
            continue
        if re.match(r"^\S", line):
            in_events = False
            continue
        if not in_events:
            continue
        m = re.match(r"^\s*(-\s+)?([A-Za-z_]+)\s*:\s*(.*)$", line)
        if not m:
            continue
        if m.group(1):
            cur = {}
            events.append(cur)
        v = m.group(3).strip().strip("'\"")
        cur[m.group(2)] = v
    return events

TIER_RANK = {"P1": 0, "P2": 1, "P3": 2}

runs = []
for row in open(runs_tsv, encoding="utf-8"):
    name, path, seed, alerts_path, summary, stream_end = row.rstrip("\n").split("\t")
    stream_end = int(stream_end)
    events = load_scenario(path)
    crises = []
    for e in events:
        if str(e.get("type")) != "crisis":
            continue
        s = t0 + float(e["start_minute"]) * 60_000
        end = s + float(e["duration_minutes"]) * 60_000
        crises.append({"brand": str(e["brand"]), "start_ms": s, "end_ms": end,
                       "category": str(e.get("category", "quality"))})
        if end + grace_ms > stream_end:
            print(f"alert-eval: warning: {name} seed {seed}: the stream ends {(stream_end - t0) / 60000:.0f} min in, "
                  f"before the {e['brand']} crisis window ({(s - t0) / 60000:.0f}-{(end + grace_ms - t0) / 60000:.0f} min) "
                  f"is over; give a larger --count", file=sys.stderr)
    campaigns = sorted({str(e["brand"]) for e in events if str(e.get("type")) == "campaign"})
    # Incidents: every notification carries the incident id; keep, per id, when it first stood
    # at P2-or-higher and at P1 (event time of that change), and how it got there.
    inc = {}
    for line in open(alerts_path, encoding="utf-8"):
        if not line.strip():
            continue
        a = json.loads(line)
        i = inc.setdefault(a["id"], {"id": a["id"], "brand": a["brand"], "detector": a["detector"],
                                     "opened_ms": ms(a["started_at"]), "max_tier": "P3",
                                     "p2_ms": None, "p1_ms": None, "reason": a.get("reason", ""),
                                     "changes": 0})
        i["changes"] += 1
        if a.get("state") == "resolved":
            continue
        t = ms(a["updated_at"])
        tier = a["tier"]
        if TIER_RANK[tier] < TIER_RANK[i["max_tier"]]:
            i["max_tier"] = tier
        if TIER_RANK[tier] <= 1 and i["p2_ms"] is None:
            i["p2_ms"], i["reason"] = t, a.get("reason", "")
        if tier == "P1" and i["p1_ms"] is None:
            i["p1_ms"], i["reason"] = t, a.get("reason", "")
    incidents = sorted(inc.values(), key=lambda x: (x["p2_ms"] or x["opened_ms"], x["id"]))
    serious = [x for x in incidents if x["p2_ms"] is not None]
    explained = set()
    for c in crises:
        lo, hi = c["start_ms"], c["end_ms"] + grace_ms
        mine = [x for x in serious if x["brand"] == c["brand"] and lo <= x["p2_ms"] <= hi]
        p1s = [x for x in mine if x["p1_ms"] is not None and lo <= x["p1_ms"] <= hi]
        for x in mine:
            explained.add(x["id"])
        first2 = min(mine, key=lambda x: x["p2_ms"]) if mine else None
        first1 = min(p1s, key=lambda x: x["p1_ms"]) if p1s else None
        # The same without the influencer detector: one big account's post is the seed of every
        # generated crisis, so the window detectors' own delay is worth seeing apart.
        wmine = [x for x in mine if x["detector"] != "influencer_negative"]
        wp1s = [x for x in p1s if x["detector"] != "influencer_negative"]
        c["window_p2_delay_ms"] = min(x["p2_ms"] for x in wmine) - lo if wmine else None
        c["window_p1_delay_ms"] = min(x["p1_ms"] for x in wp1s) - lo if wp1s else None
        c.update({"detected": bool(mine),
                  "p2_delay_ms": first2["p2_ms"] - lo if first2 else None,
                  "p2_detector": first2["detector"] if first2 else None,
                  "p1_delay_ms": first1["p1_ms"] - lo if first1 else None,
                  "p1_detector": first1["detector"] if first1 else None,
                  "detectors": sorted({x["detector"] for x in mine})})
    false_incidents = [x for x in serious if x["id"] not in explained]
    fp_brands = sorted({x["brand"] for x in false_incidents})
    runs.append({"scenario": name, "seed": int(seed), "summary": summary, "crises": crises,
                 "stream_end_ms": stream_end - t0,
                 "events": len(events), "serious_ids": sorted(x["id"] for x in serious),
                 "campaigns": campaigns,
                 "tp": sum(c["detected"] for c in crises), "fn": sum(not c["detected"] for c in crises),
                 "fp": len(fp_brands), "fp_brands": fp_brands,
                 "false_incidents": [{k: x[k] for k in ("id", "brand", "detector", "max_tier", "p2_ms", "p1_ms", "reason")}
                                     for x in false_incidents],
                 "p3_only_incidents": sum(1 for x in incidents if x["p2_ms"] is None),
                 "incidents": len(incidents)})

# A scenario with no events is the base stream alone: a false incident of another scenario that
# the base stream with the same seed raised too (same id) comes from the base stream, not from
# the scenario's events.
base_ids = defaultdict(set)
for r in runs:
    if r["events"] == 0:
        base_ids[r["seed"]].update(r["serious_ids"])
for r in runs:
    for x in r["false_incidents"]:
        x["in_base_stream"] = r["events"] != 0 and x["id"] in base_ids[r["seed"]]

if json_out:
    with open(json_out, "w", encoding="utf-8") as f:
        json.dump({"command": cmdline, "start": start_s, "grace_minutes": float(grace_min), "count": int(count),
                   "runs": runs}, f, ensure_ascii=False, indent=1)

def mmss(d):
    if d is None:
        return "—"
    s = int(round(d / 1000))
    return f"{s // 60}:{s % 60:02d}"

def rel(t):
    return mmss(t - t0) if t is not None else "—"

def pct(a, b):
    return f"{100 * a / b:.0f}%" if b else "n/a"

order = []
for r in runs:
    if r["scenario"] not in order:
        order.append(r["scenario"])
by = defaultdict(list)
for r in runs:
    by[r["scenario"]].append(r)

out = []
P = out.append
seeds = sorted({r["seed"] for r in runs})
P(f"Command: `{cmdline}` (binary `{binary}`; {count} lines per stream, event time from {start_s}, "
  f"grace {grace_min} min; seeds {', '.join(map(str, seeds))}).")
P("")
P("| scenario | crisis brands (ground truth) | runs | TP | FN | FP (run, brand) | false P1/P2 incidents, by detector | of which also in the calm run | P3-only incidents | precision | recall |")
P("|---|---|---|---|---|---|---|---|---|---|---|")
T = {"tp": 0, "fn": 0, "fp": 0, "runs": 0, "fi": 0, "fib": 0, "p3": 0}
det_all = defaultdict(int)
for name in order:
    rs = by[name]
    tp = sum(r["tp"] for r in rs); fn = sum(r["fn"] for r in rs); fp = sum(r["fp"] for r in rs)
    dets = defaultdict(int)
    for r in rs:
        for x in r["false_incidents"]:
            dets[f'{x["detector"]} {x["max_tier"]}'] += 1
            det_all[f'{x["detector"]} {x["max_tier"]}'] += 1
    fi = sum(len(r["false_incidents"]) for r in rs)
    fib = sum(x["in_base_stream"] for r in rs for x in r["false_incidents"])
    fib_s = str(fib) if any(r["events"] for r in rs) else "—"
    p3 = sum(r["p3_only_incidents"] for r in rs)
    brands = sorted({c["brand"] for r in rs for c in r["crises"]})
    camp = sorted({b for r in rs for b in r["campaigns"]})
    gt = ", ".join(brands) if brands else "none"
    if camp:
        gt += " (campaign, not crisis: " + ", ".join(camp) + ")"
    detail = ", ".join(f"{k} ×{v}" for k, v in sorted(dets.items())) or "—"
    P(f"| {name} | {gt} | {len(rs)} | {tp} | {fn} | {fp} | {fi}: {detail} | {fib_s} | {p3} | {pct(tp, tp + fp)} | {pct(tp, tp + fn)} |")
    T["tp"] += tp; T["fn"] += fn; T["fp"] += fp; T["runs"] += len(rs); T["fi"] += fi; T["fib"] += fib; T["p3"] += p3
detail = ", ".join(f"{k} ×{v}" for k, v in sorted(det_all.items())) or "—"
P(f"| **all** | | {T['runs']} | {T['tp']} | {T['fn']} | {T['fp']} | {T['fi']}: {detail} | {T['fib']} | {T['p3']} | "
  f"**{pct(T['tp'], T['tp'] + T['fp'])}** | **{pct(T['tp'], T['tp'] + T['fn'])}** |")
P("")
P("Detection delay, event time from the crisis start (m:ss), per seed; the detector that got there first in brackets; "
  "'window detectors only' leaves out influencer_negative (which fires on the seed post itself); — = not reached.")
P("")
P("| scenario | crisis | starts at | seed | first P2-or-higher | first P1 | window detectors only: P2 / P1 | detectors at P1/P2 |")
P("|---|---|---|---|---|---|---|---|")
for name in order:
    for r in by[name]:
        for c in r["crises"]:
            p2 = mmss(c["p2_delay_ms"]) + (f' ({c["p2_detector"]})' if c["p2_detector"] else "")
            p1 = mmss(c["p1_delay_ms"]) + (f' ({c["p1_detector"]})' if c["p1_detector"] else "")
            P(f'| {name} | {c["brand"]} ({c["category"]}) | {rel(c["start_ms"])} | {r["seed"]} | {p2} | {p1} | {mmss(c["window_p2_delay_ms"])} / {mmss(c["window_p1_delay_ms"])} | {", ".join(c["detectors"]) or "—"} |')
P("")
fis = [(r, x) for name in order for r in by[name] for x in r["false_incidents"]]
P("False P1/P2 incidents (event time since the stream start):")
P("")
if not fis:
    P("None.")
else:
    P("| scenario | seed | brand | detector | tier reached | at P2 | at P1 | also in the calm run | reason |")
    P("|---|---|---|---|---|---|---|---|---|")
    for r, x in fis:
        reason = x["reason"].replace("|", "\\|")
        base = "yes" if x["in_base_stream"] else ("—" if r["events"] == 0 else "no")
        P(f'| {r["scenario"]} | {r["seed"]} | {x["brand"]} | {x["detector"]} | {x["max_tier"]} | {rel(x["p2_ms"])} | {rel(x["p1_ms"])} | {base} | {reason} |')
print("\n".join(out))
PY
}

if [ -n "$OUT" ]; then
  report >"$OUT"
  echo "alert-eval: report written to $OUT" >&2
else
  report
fi
if [ "$KEEP" = 1 ]; then
  echo "alert-eval: $total runs in $((SECONDS - t0)) s; kept $WORK" >&2
else
  echo "alert-eval: $total runs in $((SECONDS - t0)) s" >&2
fi
