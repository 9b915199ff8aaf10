#!/usr/bin/env python3
"""Validates alert JSON written by the engine against schemas/alert.schema.json.

Usage: validate_alerts.py <repo>/schemas FILE...   (each FILE: one alert per line, JSONL)
Prints one line per invalid alert and exits 1 if any; exits 0 when all are valid.
Used by tests/alert_sinks (the C++ tests write alerts with to_json() and the sinks).
"""

import json
import pathlib
import sys

from jsonschema import Draft202012Validator


def make_validator(schema, all_schemas):
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        registry = Registry().with_resources(
            [(s["$id"], Resource(contents=s, specification=DRAFT202012)) for s in all_schemas])
        return Draft202012Validator(schema, registry=registry)
    except ImportError:  # Debian 12: jsonschema 4.10
        from jsonschema import RefResolver

        resolver = RefResolver.from_schema(schema, store={s["$id"]: s for s in all_schemas})
        return Draft202012Validator(schema, resolver=resolver)


def main():
    schemas_dir = pathlib.Path(sys.argv[1])
    all_schemas = [json.loads(p.read_text()) for p in sorted(schemas_dir.glob("*.schema.json"))]
    alert_schema = json.loads((schemas_dir / "alert.schema.json").read_text())
    validator = make_validator(alert_schema, all_schemas)
    bad = 0
    seen = 0
    for name in sys.argv[2:]:
        for n, line in enumerate(pathlib.Path(name).read_text().splitlines(), 1):
            if not line.strip():
                continue
            seen += 1
            try:
                doc = json.loads(line)
            except ValueError as e:
                print(f"{name}:{n}: not JSON: {e}")
                bad += 1
                continue
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
            for e in errors:
                print(f"{name}:{n}: {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}")
            bad += bool(errors)
    if seen == 0:
        print("no alerts to validate")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
