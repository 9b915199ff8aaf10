#!/usr/bin/env python3
"""Checks the JSON Schemas in schemas/ and their examples (ctest: schema_examples).

Usage: validate_examples.py <repo>/schemas

1. Every schemas/*.schema.json is a valid JSON Schema 2020-12 (check_schema), its $id is
   https://yuqing.dev/schemas/<file name>, and every property has a title and a description.
2. Every schemas/examples/<name>/*.json is valid against <name>.schema.json, and every
   schemas/examples/invalid/<name>/*.json is not.
3. The parser's fixture corpus agrees with mention.schema.json where the schema can tell:
   lines of tests/fixtures/malformed/valid.jsonl validate, and lines the parser rejects as
   missing_field, bad_type, bad_value or bad_timestamp do not, except the cases listed in
   SCHEMA_IS_SILENT (rules JSON Schema cannot express; schemas/README.md explains them).

Runs with the Debian python3-jsonschema (4.10); newer versions work too.
"""

import json
import pathlib
import sys

from jsonschema import Draft202012Validator

MINIMUM_EXAMPLES = {"mention": 8, "alert": 3}
MINIMUM_INVALID = {"mention": 5}

# Corpus cases the parser rejects but the schema accepts, and why.
SCHEMA_IS_SILENT = {
    "id_86_cjk_chars_258_bytes": "the parser limits id to 256 bytes; maxLength counts characters",
    "followers_string_int64_max_plus_1": "19 digits pass the pattern; the parser also needs <= INT64_MAX",
    "created_at_april_31": "the pattern cannot know the length of each month",
    "created_at_feb_29_non_leap_2023": "the pattern cannot know leap years",
    "created_at_feb_29_century_2100": "the pattern cannot know leap years",
    "created_at_before_1970_after_offset": "the year range is checked after applying the offset",
    "author_id_exponent": "1e3 is an integer to JSON Schema; the parser wants an id written with digits only",
}

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def reject_constant(name):
    raise ValueError("not JSON: " + name)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def load_json_text(text):
    return json.loads(text, parse_constant=reject_constant, object_pairs_hook=no_duplicates)


def make_validator(schema, all_schemas):
    """A 2020-12 validator that resolves references between our schemas offline."""
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        registry = Registry().with_resources(
            [(s["$id"], Resource(contents=s, specification=DRAFT202012)) for s in all_schemas.values()])
        return Draft202012Validator(schema, registry=registry)
    except ImportError:  # Debian 12: jsonschema 4.10
        from jsonschema import RefResolver

        resolver = RefResolver.from_schema(schema, store={s["$id"]: s for s in all_schemas.values()})
        return Draft202012Validator(schema, resolver=resolver)


def check_titles(node, where):
    """Every entry of every `properties` object must have a title and a description. Conditional
    subschemas (if/then/else/not) only constrain properties declared elsewhere, so they are skipped."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("if", "then", "else", "not"):
                continue
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    for word in ("title", "description"):
                        if not isinstance(sub, dict) or not sub.get(word):
                            fail(f"{where}: property '{name}' has no {word}")
            check_titles(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            check_titles(value, f"{where}/{i}")


def error_summary(validator, instance):
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:3])


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    schemas_dir = pathlib.Path(sys.argv[1]).resolve()
    repo = schemas_dir.parent

    # 1. The schemas themselves.
    schemas = {}
    for path in sorted(schemas_dir.glob("*.schema.json")):
        name = path.name[: -len(".schema.json")]
        try:
            schema = load_json_text(path.read_text(encoding="utf-8"))
        except ValueError as e:
            fail(f"{path.name}: not JSON: {e}")
            continue
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as e:  # SchemaError
            fail(f"{path.name}: not a valid 2020-12 schema: {e}")
            continue
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            fail(f"{path.name}: $schema must be https://json-schema.org/draft/2020-12/schema")
        if schema.get("$id") != f"https://yuqing.dev/schemas/{path.name}":
            fail(f"{path.name}: $id must be https://yuqing.dev/schemas/{path.name}")
        for word in ("title", "description"):
            if not schema.get(word):
                fail(f"{path.name}: no top-level {word}")
        check_titles(schema, path.name)
        schemas[name] = schema
    for required in ("mention", "alert"):
        if required not in schemas:
            fail(f"schemas/{required}.schema.json is missing or broken")
    validators = {name: make_validator(s, schemas) for name, s in schemas.items()}

    # 2. Examples.
    counts = {}
    for kind, must_pass in (("examples", True), ("examples/invalid", False)):
        for name, validator in validators.items():
            directory = schemas_dir / kind / name
            files = sorted(directory.glob("*.json")) if directory.is_dir() else []
            counts[(kind, name)] = len(files)
            for path in files:
                rel = path.relative_to(schemas_dir)
                try:
                    instance = load_json_text(path.read_text(encoding="utf-8"))
                except ValueError as e:
                    fail(f"{rel}: not JSON: {e}")
                    continue
                valid = validator.is_valid(instance)
                if must_pass and not valid:
                    fail(f"{rel}: does not validate: {error_summary(validator, instance)}")
                elif not must_pass and valid:
                    fail(f"{rel}: validates, but examples under invalid/ must not")
    for name, minimum in MINIMUM_EXAMPLES.items():
        if counts.get(("examples", name), 0) < minimum:
            fail(f"examples/{name}: {counts.get(('examples', name), 0)} examples, want at least {minimum}")
    for name, minimum in MINIMUM_INVALID.items():
        if counts.get(("examples/invalid", name), 0) < minimum:
            fail(f"examples/invalid/{name}: {counts.get(('examples/invalid', name), 0)} examples, "
                 f"want at least {minimum}")

    # 3. The parser's corpus against the mention schema.
    fixtures = repo / "tests" / "fixtures" / "malformed"
    index_path = fixtures / "INDEX.tsv"
    agreed = 0
    if "mention" in validators and index_path.is_file():
        validator = validators["mention"]
        index = {}
        for row in index_path.read_text(encoding="utf-8").splitlines():
            if row.startswith("#") or not row.strip():
                continue
            file, line, case, expected = row.split("\t")
            index[(file, int(line))] = (case, expected)
        silent_seen = set()
        for (file, line_no), (case, expected) in sorted(index.items()):
            if expected not in ("ok", "missing_field", "bad_type", "bad_value", "bad_timestamp"):
                continue  # malformed_json, invalid_utf8, duplicate_field, too_large: not the schema's business
            raw = (fixtures / file).read_bytes().split(b"\n")[line_no - 1]
            try:
                text = raw.decode("utf-8")
                if text.endswith("\r"):
                    text = text[:-1]
                if text.startswith("\ufeff"):
                    text = text[1:]
                instance = load_json_text(text)
            except (ValueError, RecursionError) as e:
                fail(f"{file}:{line_no} ({case}): expected {expected} but Python cannot read it: {e}")
                continue
            valid = validator.is_valid(instance)
            if expected == "ok":
                if not valid:
                    fail(f"{file}:{line_no} ({case}): the parser accepts it, the schema does not: "
                         f"{error_summary(validator, instance)}")
                else:
                    agreed += 1
            elif case in SCHEMA_IS_SILENT:
                silent_seen.add(case)
                if not valid:
                    fail(f"{file}:{line_no} ({case}) is listed in SCHEMA_IS_SILENT but the schema rejects it; "
                         "remove it from the list")
            elif valid:
                fail(f"{file}:{line_no} ({case}): the parser rejects it as {expected}, the schema accepts it")
            else:
                agreed += 1
        for case in sorted(set(SCHEMA_IS_SILENT) - silent_seen):
            fail(f"SCHEMA_IS_SILENT names {case}, which is not in {index_path}")
    else:
        print(f"note: {index_path} not found; corpus agreement not checked")

    summary = ", ".join(f"{kind}/{name}: {n}" for (kind, name), n in sorted(counts.items()))
    print(f"schemas: {', '.join(sorted(schemas))}; {summary}; corpus lines in agreement: {agreed}")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all schema checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
