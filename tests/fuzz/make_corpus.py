#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets to tests/fuzz/corpus/<target>/ from the
project's own files (generated mentions, schema examples, malformed-line fixtures, brand rules,
the alert policy, the lexicons) plus hand-written edge cases. The output is committed; run
this again after changing those files:

  tests/fuzz/make_corpus.py --yuqing build/yuqing

Seeds are kept under 4 KiB (libFuzzer's -max_len follows the largest seed).
"""

import argparse
import glob
import json
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MAX = 4096


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX:
        return
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def mention_parse(yuqing):
    out = subprocess.run([yuqing, "gen", "--seed", "7", "--count", "60", "--bad-share", "0.3",
                          "--rules", os.path.join(ROOT, "rules")], check=True, stdout=subprocess.PIPE).stdout
    for i, line in enumerate(out.split(b"\n")):
        if line:
            write("mention_parse", f"gen-{i:03d}", line)
    for p in sorted(glob.glob(os.path.join(ROOT, "schemas/examples/mention/*.json"))):
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        write("mention_parse", "schema-" + os.path.basename(p)[:-5], json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/malformed/*.jsonl"))):
        with open(p, "rb") as f:
            lines = [l for l in f.read().split(b"\n") if l]
        for i, line in enumerate(lines[:12]):
            write("mention_parse", f"fixture-{os.path.basename(p)[:-6]}-{i:02d}", line)
    for i, s in enumerate(["2024-05-01T12:00:00Z", "2024-05-01T20:00:00.123456+08:00", "2016-12-31t23:59:60z",
                           "2023-02-29T00:00:00Z", "0000-01-01T00:00:00-23:59", "9999-12-31T23:59:59.999+23:59"]):
        write("mention_parse", f"rfc3339-{i}", s)


def query():
    import re
    n = 0
    for p in sorted(glob.glob(os.path.join(ROOT, "rules/brands/*.yaml"))):
        with open(p, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"\s*query:\s*'(.*)'\s*$", line) or re.match(r'\s*query:\s*"(.*)"\s*$', line)
                if m:
                    write("query", "brand-" + os.path.basename(p)[:-5], m.group(1).replace("''", "'"))
    for q in ['acme', '"acme phone" OR @acme OR #acme OR #艾克米#', 'acme* AND NOT (review OR "ad")',
              'battery NEAR/3 explode', 'crash ONEAR/0 app', '(a OR b) NOT c', 'platform:weibo AND 爆炸',
              'lang:zh author.followers:>10000 author.verified:true', 'site:example.com region:上海',
              '艾克米手機 OR ＡＣＭＥ', '((((a))))', 'a NEAR/999999 b', '"unterminated', 'NOT', 'a AND', ')(',
              'author:"Some One"', 'a b c d e f g h', 'acme NEAR/2 (battery OR charging)']:
        write("query", f"hand-{n:02d}", q)
        n += 1


def rules_yaml():
    for p in sorted(glob.glob(os.path.join(ROOT, "rules/brands/*.yaml"))):
        with open(p, "rb") as f:
            write("rules_yaml", "brand-" + os.path.basename(p)[:-5], f.read())
    write("rules_yaml", "hand-minimal", "id: acme\nname: Acme\nlang: en\nquery: acme\n")
    write("rules_yaml", "hand-unknown-key", "id: acme\nname: Acme\nlang: en\nqeury: acme\n")
    write("rules_yaml", "hand-aspects-lexicon",
          "id: acme\nname: Acme\nlang: zh\nquery: '艾克米 OR acme'\ncompetitors: [zenith]\n"
          "aspects:\n  battery: [battery, 续航, \"battery life\"]\nlexicon:\n  cheap: 1.5\n  便宜: -1\n"
          "tags: [x]\nenabled: false\n")
    write("rules_yaml", "hand-bad-types", "id: [1]\nname: {a: b}\nlang: 3\nquery: ~\n")
    write("rules_yaml", "hand-anchors", "base: &b acme\nid: acme\nname: *b\nlang: en\nquery: *b\n")


def alert_policy():
    with open(os.path.join(ROOT, "rules/alerts.yaml"), "rb") as f:
        write("alert_policy", "shipped", f.read())
    write("alert_policy", "hand-empty", "")
    write("alert_policy", "hand-lifecycle", "lifecycle:\n  resolve_after: 1h\n  cooldown: 30s\n  escalate_after: 7d\n")
    write("alert_policy", "hand-detector",
          "detectors:\n  negative_ratio:\n    window: 30m\n    min_count: 30\n    tiers:\n      P1: {share: 0.8}\n")
    write("alert_policy", "hand-brand",
          "brands:\n  lantu-auto:\n    min_tier: P2\n    detectors:\n      crisis_term_burst: {enabled: false}\n")
    write("alert_policy", "hand-bad", "detectors:\n  nope: {window: -5m}\nlifecycle: [1, 2]\n")


def lexicon():
    files = ["en/polarity.tsv", "en/slang.tsv", "en/negators.txt", "en/degree.tsv", "en/contrast.tsv",
             "zh/polarity.tsv", "zh/emoticons.tsv", "zh/negators.txt", "zh/degree.tsv", "common/emoji.tsv",
             "common/emoticons_ascii.tsv", "crisis.tsv", "aspects.tsv"]
    for i, name in enumerate(files):
        with open(os.path.join(ROOT, "rules/lexicons", name), "rb") as f:
            lines = f.read().split(b"\n")[:40]
        write("lexicon", "file-" + name.replace("/", "-"), bytes([i]) + b"\n".join(lines) + b"\n")
    write("lexicon", "user-vader", bytes([13]) + b"good\t1.9\t0.9\t[2, 2]\nbad\t-2.5\t0.5\t[-2]\n")
    write("lexicon", "user-afinn", bytes([14]) + b"abandon\t-2\nabsolutely\t3\n")
    write("lexicon", "user-plain", bytes([15]) + b"terrible\n\xe5\xb7\xae\xe5\x8a\xb2\n")
    write("lexicon", "bad-fields", bytes([0]) + b"good\n\tx\t1\nnice\tfive\n  \n#c\n\xff\xfe\tbad\n")


def http():
    auth = "Authorization: Bearer fuzz-token\r\n"
    reqs = {
        "healthz": "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "brands": f"GET /api/v1/brands HTTP/1.1\r\nHost: x\r\n{auth}\r\n",
        "trend": f"GET /api/v1/brands/acme/trend?window=24h&step=1h&until=2024-05-07T00:00:00Z&baseline=negatives HTTP/1.1\r\nHost: x\r\n{auth}\r\n",
        "trend-zh": f"GET /api/v1/brands/%E8%93%9D%E9%80%94%E6%B1%BD%E8%BD%A6/trend?window=1h&step=5m HTTP/1.1\r\nHost: x\r\n{auth}\r\n",
        "mentions": f"GET /api/v1/brands/acme/mentions?label=negative&limit=5&window=7d&until=1715040000000 HTTP/1.1\r\nHost: x\r\n{auth}\r\n",
        "compare": f"GET /api/v1/compare?brands=acme,zenith&window=7d HTTP/1.1\r\nHost: x\r\n{auth}\r\n",
        "alerts": f"GET /api/v1/alerts?brand=acme&since=2024-05-01T00:00:00Z HTTP/1.1\r\nHost: x\r\n{auth}\r\n",
        "ack": f"POST /api/v1/alerts/acme:negative_ratio:1714953600000/ack HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{{\"by\":\"oncall\"}}",
        "echo-chunked": "POST /api/v1/echo?q=a%20b+c HTTP/1.1\r\nHost: x\r\nX-Fuzz-Open: 1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "no-token": "GET /api/v1/brands HTTP/1.1\r\nHost: x\r\n\r\n",
        "bad-token": "GET /api/v1/brands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\r\n",
        "method": "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "not-found": "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
        "pipelined": "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/brands HTTP/1.1\r\nHost: x\r\nX-Fuzz-Open: 1\r\nConnection: close\r\n\r\n",
        "http10": "GET /healthz HTTP/1.0\r\n\r\n",
        "partial": "GET /api/v1/brands/acme/tr",
        "garbage": "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
        "bad-params": f"GET /api/v1/brands/acme/trend?window=-1h&step=0m&until=yesterday&baseline=x HTTP/1.1\r\nHost: x\r\n{auth}\r\n",
        "big-header": "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + "a" * 3000 + "\r\n\r\n",
    }
    for name, r in reqs.items():
        write("http", name, r.encode("latin-1") if name == "garbage" else r)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--yuqing", default=os.path.join(ROOT, "build", "yuqing"), help="the yuqing binary (for gen)")
    args = ap.parse_args()
    shutil.rmtree(os.path.join(HERE, "corpus"), ignore_errors=True)
    mention_parse(args.yuqing)
    query()
    rules_yaml()
    alert_policy()
    lexicon()
    http()
    for t in sorted(os.listdir(os.path.join(HERE, "corpus"))):
        print(t, len(os.listdir(os.path.join(HERE, "corpus", t))))


if __name__ == "__main__":
    main()
