#!/usr/bin/env python3
"""ctest deploy_static: the files in deploy/ parse and agree with the code.

Usage: check_deploy.py SOURCE_DIR YUQING_BINARY

What runs here without a container engine or a cluster (deploy/README.md lists what is left
to review):
  - every *.yml / *.yaml (all documents) and *.json under deploy/ parses;
  - the code's defaults are read from the source (HTTP port 8080, /metrics, /healthz, /readyz,
    the rules folder, SIGHUP reload, the Kafka topic defaults), and every deploy file that
    names a port, path or probe uses them;
  - every `yuqing` command line in deploy/ (Dockerfile, compose, k8s, systemd) uses only
    subcommands and flags that `yuqing ... --help` lists;
  - the Dockerfile's build stage installs exactly the packages of scripts/setup.sh;
  - the k8s rules folder (image lexicons + ConfigMap) and the systemd engine.yaml are checked
    by the engine itself (`yuqing run --exit-at-eof` on an empty input, `yuqing config check`);
  - the systemd unit passes `systemd-analyze verify` when that tool exists.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

SRC = Path(sys.argv[1])
BIN = sys.argv[2]
DEPLOY = SRC / "deploy"
errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def rel(p):
    return str(Path(p).relative_to(SRC))


# --- 1. everything parses ------------------------------------------------------------------
docs = {}
for p in sorted(DEPLOY.rglob("*")):
    if p.suffix in (".yml", ".yaml"):
        try:
            docs[p] = [d for d in yaml.safe_load_all(p.read_text()) if d is not None]
        except yaml.YAMLError as e:
            errors.append(f"{rel(p)}: YAML does not parse: {e}")
    elif p.suffix == ".json":
        try:
            docs[p] = [json.loads(p.read_text())]
        except json.JSONDecodeError as e:
            errors.append(f"{rel(p)}: JSON does not parse: {e}")
check(len(docs) >= 12, f"only {len(docs)} YAML/JSON files found under deploy/")


def doc(path):
    return docs.get(DEPLOY / path, [None])[0]


# --- 2. the code's defaults ----------------------------------------------------------------
config_h = (SRC / "engine/config/config.h").read_text()
run_cpp = (SRC / "engine/cli/run_command.cpp").read_text()


def default(field):
    m = re.search(r"std::string %s = \"([^\"]*)\";" % field, config_h)
    check(m, f"engine/config/config.h: no default for {field}")
    return m.group(1) if m else ""


listen = default("http_listen")
PORT = int(listen.rsplit(":", 1)[1])
check(PORT == 8080, f"default HTTP port is {PORT}, deploy/ assumes 8080")
for route in ("/metrics", "/healthz", "/readyz"):
    check(f'route("GET", "{route}"' in run_cpp, f"engine/cli/run_command.cpp serves no GET {route}")
check("SIGHUP" in run_cpp, "run_command.cpp does not reload on SIGHUP (systemd ExecReload)")
check(default("rules_dir") == "rules", "default rules dir changed")
TOPICS = {default("kafka_topic"), default("kafka_dlq_topic"), default("kafka_alerts_topic")}


def port_of(addr):
    return int(str(addr).rsplit(":", 1)[1])


# --- 3. yuqing command lines ---------------------------------------------------------------
help_cache = {}


def help_text(path):
    key = tuple(path)
    if key not in help_cache:
        r = subprocess.run([BIN, *path, "--help"], capture_output=True, text=True, timeout=30)
        help_cache[key] = r.stdout if r.returncode == 0 else None
    return help_cache[key]


def subcommands(path):
    text = help_text(path) or ""
    section = text.split("Subcommands:", 1)[1] if "Subcommands:" in text else ""
    return set(re.findall(r"^  (\S+)", section, re.M))


def check_cli(argv, where):
    """argv without the binary: subcommands first (as the help lists them), then the rest."""
    path = []
    for a in argv:
        if a not in subcommands(path):
            break
        path.append(a)
    if not check(path, f"{where}: '{' '.join(argv[:2])}' is not a yuqing subcommand"):
        return
    text = help_text(path)
    for a in argv:
        if a.startswith("--"):
            flag = a.split("=", 1)[0]
            check(re.search(r"(^|[\s,])%s(?=[\s=]|$)" % re.escape(flag), text, re.M),
                  f"{where}: 'yuqing {' '.join(path)}' has no option {flag}")
    return path


def option(argv, name):
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def check_engine_args(argv, where):
    """A `run` command line: HTTP port, and the folders it names."""
    check_cli(argv, where)
    http = option(argv, "--http")
    if check(http, f"{where}: `yuqing run` without --http listens on {listen} only (not reachable from outside)"):
        check(port_of(http) == PORT, f"{where}: --http {http} is not port {PORT}")
        check(not http.startswith("127.") or "systemd" in where, f"{where}: --http {http} is loopback only")
    return option(argv, "--rules"), option(argv, "--state")


# --- 4. Prometheus -------------------------------------------------------------------------
for name, target_host in (("prometheus/prometheus.yml", "127.0.0.1"), ("prometheus/prometheus-compose.yml", "engine")):
    cfg = doc(name)
    if not check(cfg, f"deploy/{name} missing"):
        continue
    jobs = [j for j in cfg.get("scrape_configs", []) if j.get("job_name") == "yuqing"]
    if check(jobs, f"deploy/{name}: no scrape job 'yuqing' (the rules use job=\"yuqing\")"):
        j = jobs[0]
        check(j.get("metrics_path", "/metrics") == "/metrics", f"deploy/{name}: metrics_path is not /metrics")
        targets = [t for sc in j.get("static_configs", []) for t in sc.get("targets", [])]
        check(targets == [f"{target_host}:{PORT}"], f"deploy/{name}: targets {targets}, expected {target_host}:{PORT}")
    for rf in cfg.get("rule_files", []):
        check((DEPLOY / "prometheus" / rf).exists(), f"deploy/{name}: rule file {rf} not found")
rules = doc("prometheus/yuqing-rules.yml") or {}
for g in rules.get("groups", []):
    for r in g.get("rules", []):
        check(r.get("labels", {}).get("severity") in ("critical", "warning"), f"rule {r.get('alert')}: severity")
check('job="yuqing"' in (DEPLOY / "prometheus/yuqing-rules.yml").read_text(), "rules do not use job=\"yuqing\"")

# --- 5. Grafana ----------------------------------------------------------------------------
ds = doc("grafana/provisioning/datasources/prometheus.yaml") or {}
check(any(d.get("type") == "prometheus" for d in ds.get("datasources", [])), "no prometheus data source provisioned")
check(any(d.get("url") == "http://prometheus:9090" for d in ds.get("datasources", [])),
      "data source URL is not the compose service prometheus:9090")
prov = doc("grafana/provisioning/dashboards/yuqing.yaml") or {}
dash_path = (prov.get("providers") or [{}])[0].get("options", {}).get("path")
check(dash_path, "dashboard provider has no path")
uids = set()
for p in sorted((DEPLOY / "grafana/dashboards").glob("*.json")):
    d = docs.get(p, [{}])[0]
    check(d.get("uid") and d["uid"] not in uids, f"{rel(p)}: missing or duplicate uid")
    uids.add(d.get("uid"))
    check(isinstance(d.get("schemaVersion"), int) and d.get("title"), f"{rel(p)}: not a Grafana dashboard")
    variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
    check(variables.get("datasource", {}).get("query") == "prometheus", f"{rel(p)}: no prometheus datasource variable")

    def panels(ps):
        for x in ps:
            yield x
            yield from panels(x.get("panels", []))

    for panel in panels(d.get("panels", [])):
        if panel.get("type") == "row":
            continue
        check(panel.get("datasource", {}).get("uid") == "${datasource}", f"{rel(p)} '{panel.get('title')}': datasource")
        check(panel.get("targets"), f"{rel(p)} '{panel.get('title')}': no query")
        for v in re.findall(r"\$\{?(\w+)", json.dumps(panel.get("targets"))):
            check(v.startswith("__") or v in variables, f"{rel(p)} '{panel.get('title')}': unknown variable ${v}")
check(len(uids) == 2, f"expected the SRE and the brand dashboard, found {len(uids)}")
brand_board = [docs[p][0] for p in docs if p.name == "yuqing-brands.json"]
check(brand_board and any(v["name"] == "brand" for v in brand_board[0]["templating"]["list"]),
      "the brand dashboard has no `brand` variable")

# --- 6. Docker -----------------------------------------------------------------------------
dockerfile = (DEPLOY / "docker/Dockerfile").read_text()
setup = (SRC / "scripts/setup.sh").read_text()
m = re.search(r"PACKAGES=\((.*?)\)", setup, re.S)
setup_pkgs = set(m.group(1).split()) if m else set()
stages = re.split(r"^FROM ", dockerfile, flags=re.M)[1:]
check(len(stages) == 2 and stages[0].startswith("debian:12 AS build") and stages[1].startswith("debian:12"),
      "Dockerfile: expected two stages on debian:12 (build, runtime)")


def apt_packages(stage):
    m = re.search(r"apt-get install([^&]*)", stage.replace("\\\n", " "))
    return {w for w in (m.group(1).split() if m else []) if not w.startswith("-")}


build_pkgs = apt_packages(stages[0]) if stages else set()
check(setup_pkgs and build_pkgs == setup_pkgs,
      f"Dockerfile build stage vs scripts/setup.sh: only in Dockerfile {sorted(build_pkgs - setup_pkgs)}, "
      f"only in setup.sh {sorted(setup_pkgs - build_pkgs)}")
for src in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.M):
    check((SRC / src).exists(), f"Dockerfile: COPY {src} does not exist in the repository")
check(re.search(rf"^EXPOSE {PORT}$", dockerfile, re.M), f"Dockerfile: no EXPOSE {PORT}")
check(f"127.0.0.1:{PORT}/healthz" in dockerfile, "Dockerfile: HEALTHCHECK is not /healthz on the engine port")
check('ENTRYPOINT ["/usr/local/bin/yuqing"]' in dockerfile, "Dockerfile: entrypoint is not the yuqing binary")
cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
image_rules = "/etc/yuqing/rules"
if check(cmd, "Dockerfile: no CMD"):
    r, _ = check_engine_args(json.loads(cmd.group(1)), "Dockerfile CMD")
    check(r == image_rules, f"Dockerfile CMD: --rules {r}, the image has {image_rules}")
check(f"/src/rules/ {image_rules}/" in dockerfile and "/src/rules/ /usr/share/yuqing/rules/" in dockerfile,
      "Dockerfile: the rules are not installed where compose and k8s expect them")

compose = doc("docker/compose.yaml") or {}
services = compose.get("services", {})
for name in ("kafka", "connector", "engine", "prometheus", "alertmanager", "grafana"):
    check(name in services, f"compose.yaml: no service {name}")
kafka_env = services.get("kafka", {}).get("environment", {})
check("controller" in str(kafka_env.get("KAFKA_PROCESS_ROLES", "")), "compose kafka: not in KRaft mode")
check(kafka_env.get("KAFKA_ADVERTISED_LISTENERS") == "PLAINTEXT://kafka:9092", "compose kafka: advertised listener")
topics_cmd = " ".join(services.get("kafka-topics", {}).get("command", []))
for t in TOPICS:
    check(re.search(rf"\b{re.escape(t)}:\d", topics_cmd), f"compose kafka-topics: topic {t} is not created")
for name, svc in services.items():
    if svc.get("image", "").startswith("yuqing"):
        argv = svc.get("command", [])
        where = f"compose {name}"
        if argv[:1] == ["run"]:
            r, s = check_engine_args(argv, where)
            check(r == image_rules, f"{where}: --rules {r}")
            check(option(argv, "--brokers") == "kafka:9092", f"{where}: --brokers is not kafka:9092")
            check(any(str(v).endswith(":/var/lib/yuqing") for v in svc.get("volumes", [])) and
                  str(s).startswith("/var/lib/yuqing/"), f"{where}: the state folder is not on a volume")
            check(f"{PORT}:{PORT}" in svc.get("ports", []), f"{where}: port {PORT} not published")
            hc = " ".join(svc.get("healthcheck", {}).get("test", []))
            check(f"127.0.0.1:{PORT}/readyz" in hc, f"{where}: healthcheck is not /readyz")
        else:
            path = check_cli(argv, where)
            if path == ["connect", "file"]:
                check(option(argv, "--brokers") == "kafka:9092", f"{where}: --brokers is not kafka:9092")
for name, svc in services.items():
    for v in svc.get("volumes", []):
        host = str(v).split(":")[0]
        if host.startswith("."):
            check((DEPLOY / "docker" / host).exists(), f"compose {name}: mounts {host}, which does not exist")
prom_cmd = " ".join(services.get("prometheus", {}).get("command", []))
check("/etc/prometheus/prometheus-compose.yml" in prom_cmd, "compose prometheus: not using prometheus-compose.yml")
check(any(str(v).endswith(f":{dash_path}:ro") for v in services.get("grafana", {}).get("volumes", [])),
      f"compose grafana: dashboards are not mounted at the provider path {dash_path}")
check(any("/etc/grafana/provisioning" in str(v) for v in services.get("grafana", {}).get("volumes", [])),
      "compose grafana: provisioning not mounted")

# --- 7. Kubernetes -------------------------------------------------------------------------
k8s = {}
for p in (DEPLOY / "k8s").glob("*.yaml"):
    for d in docs.get(p, []):
        k8s[(d.get("kind"), d.get("metadata", {}).get("name"))] = d
kust = k8s.get(("Kustomization", None))
if check(kust, "k8s: no kustomization.yaml"):
    listed = set(kust.get("resources", []))
    present = {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    check(listed == present, f"k8s kustomization lists {sorted(listed)}, folder has {sorted(present)}")
sts = k8s.get(("StatefulSet", "yuqing"), {})
cm = k8s.get(("ConfigMap", "yuqing-rules"), {})
svc = k8s.get(("Service", "yuqing"), {})
if check(sts and cm and svc, "k8s: expected StatefulSet yuqing, ConfigMap yuqing-rules and Service yuqing"):
    pod = sts["spec"]["template"]
    check(sts["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items(), "k8s: selector")
    check(svc["spec"]["selector"].items() <= pod["metadata"]["labels"].items(), "k8s Service: selector misses the pods")
    check(sts["spec"].get("serviceName") == "yuqing", "k8s: serviceName is not the Service")
    engine = [c for c in pod["spec"]["containers"] if c["name"] == "engine"][0]
    ports = {p.get("name"): p["containerPort"] for p in engine.get("ports", [])}
    check(ports.get("http") == PORT, f"k8s: containerPort http is not {PORT}")
    svc_ports = svc["spec"].get("ports", [])
    check(any(p.get("port") == PORT and p.get("targetPort") in ("http", PORT) for p in svc_ports),
          f"k8s Service: no port {PORT} to the engine")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
        hg = engine.get(probe, {}).get("httpGet", {})
        check(hg.get("path") == path and hg.get("port") in ("http", PORT), f"k8s: {probe} is not GET {path}")
    res = engine.get("resources", {})
    check(res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory") and
          res.get("limits", {}).get("memory"), "k8s: engine resources (cpu/memory requests, memory limit)")
    check(pod["metadata"].get("annotations", {}).get("prometheus.io/port") == str(PORT) and
          pod["metadata"]["annotations"].get("prometheus.io/path") == "/metrics", "k8s: scrape annotations")
    argv = [a.replace("$(KAFKA_BROKERS)", "kafka:9092") for a in engine["args"]]
    r, s = check_engine_args(argv, "k8s engine")
    mounts = {m["mountPath"]: m["name"] for m in engine.get("volumeMounts", [])}
    claims = {c["metadata"]["name"] for c in sts["spec"].get("volumeClaimTemplates", [])}
    state_mount = [m for m in mounts if s and (s == m or s.startswith(m + "/"))]
    check(state_mount and mounts[state_mount[0]] in claims, f"k8s: --state {s} is not on a PersistentVolumeClaim")
    check(mounts.get(r) == "rules", f"k8s: --rules {r} is not the rules volume")
    check(any(e.get("name") == "KAFKA_BROKERS" for e in engine.get("env", [])), "k8s: KAFKA_BROKERS not set")
    check(sts["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30) >= 30, "k8s: grace period")
    vols = {v["name"]: v for v in pod["spec"].get("volumes", [])}
    items = vols.get("rules-config", {}).get("configMap", {})
    check(items.get("name") == "yuqing-rules", "k8s: rules-config volume is not the ConfigMap")
    mapped = {i["key"]: i["path"] for i in items.get("items", [])}
    check(set(mapped) == set(cm.get("data", {})), f"k8s: ConfigMap keys {sorted(cm.get('data', {}))} vs items {sorted(mapped)}")
    init = " ".join(" ".join(c.get("command", [])) for c in pod["spec"].get("initContainers", []))
    check("/usr/share/yuqing/rules/lexicons" in init, "k8s init container: lexicons are not copied from the image")
    # The engine loads exactly that folder: image lexicons + the ConfigMap's files at their paths.
    with tempfile.TemporaryDirectory() as tmp:
        rules_dir = Path(tmp) / "rules"
        shutil.copytree(SRC / "rules/lexicons", rules_dir / "lexicons")
        for key, path in mapped.items():
            (rules_dir / path).parent.mkdir(parents=True, exist_ok=True)
            text = cm["data"][key].replace("/var/lib/yuqing/", tmp + "/")  # the file sink's folder
            (rules_dir / path).write_text(text)
        (Path(tmp) / "empty.jsonl").write_text("")
        r = subprocess.run([BIN, "run", "--input", f"{tmp}/empty.jsonl", "--exit-at-eof", "--rules", str(rules_dir),
                            "--state", f"{tmp}/state", "--http", "off", "--log-level", "error"],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"k8s ConfigMap rules do not load:\n{r.stdout}{r.stderr}")

# --- 8. systemd ----------------------------------------------------------------------------
unit = (DEPLOY / "systemd/yuqing.service").read_text()
exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M)
if check(exec_start, "systemd: no ExecStart"):
    argv = shlex.split(exec_start.group(1))
    check(argv[0] == "/usr/local/bin/yuqing", "systemd: ExecStart is not /usr/local/bin/yuqing")
    check_cli(argv[1:], "systemd ExecStart")
    check(option(argv, "--config") == "/etc/yuqing/engine.yaml", "systemd: --config is not /etc/yuqing/engine.yaml")
check(re.search(r"^ExecReload=/bin/kill -HUP \$MAINPID$", unit, re.M), "systemd: ExecReload does not send SIGHUP")
check(re.search(r"^KillSignal=SIGTERM$", unit, re.M), "systemd: KillSignal is not SIGTERM (drain and commit)")
engine_yaml = doc("systemd/engine.yaml") or {}
check(port_of(engine_yaml.get("http", {}).get("listen", "x:0")) == PORT, "systemd engine.yaml: http.listen port")
check(engine_yaml.get("state", {}).get("dir", "").startswith("/var/lib/yuqing/"),
      "systemd engine.yaml: state.dir is not under the unit's StateDirectory /var/lib/yuqing")
r = subprocess.run([BIN, "config", "check", str(DEPLOY / "systemd/engine.yaml")], capture_output=True, text=True,
                   timeout=30)
check(r.returncode == 0, f"yuqing config check deploy/systemd/engine.yaml:\n{r.stdout}{r.stderr}")
if shutil.which("systemd-analyze"):
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "yuqing.service"  # with the built binary, which the verifier wants to exist
        copy.write_text(unit.replace("/usr/local/bin/yuqing", os.path.abspath(BIN)))
        r = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
        out = (r.stdout + r.stderr).strip()
        check(r.returncode == 0 and not out, f"systemd-analyze verify yuqing.service:\n{out}")

# --- 9. the README says what is checked ----------------------------------------------------
readme = (DEPLOY / "README.md").read_text() if (DEPLOY / "README.md").exists() else ""
check("deploy_static" in readme and "review" in readme, "deploy/README.md must say what is checked and what is not")

if errors:
    print(f"{len(errors)} problem(s) in deploy/:")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print(f"deploy/: {len(docs)} YAML/JSON files parse; ports, paths, probes, packages and yuqing flags agree with the code")
