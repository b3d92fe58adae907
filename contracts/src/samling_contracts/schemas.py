"""JSON Schemas of the facts: export to ``contracts/schemas/`` and check compatibility.

A published version is a promise to consumers. A change is backward compatible when every
message a consumer could validate against the committed schema still has the same meaning:
no property removed or retyped, no enum value removed, nothing optional made required. Anything
else needs a new version (``….v2``) next to the old one.

Usage: ``python -m samling_contracts.schemas export [--force]`` / ``check``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from samling_contracts.facts import REGISTRY

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"

Schema = dict[str, Any]


def current_schemas() -> dict[str, Schema]:
    out: dict[str, Schema] = {}
    for type_, cls in sorted(REGISTRY.items()):
        schema = cls.model_json_schema(mode="serialization")
        spec = cls.spec()
        schema["$id"] = f"https://samling.no/contracts/schemas/{type_}.json"
        schema["x-cloudevent-type"] = type_
        schema["x-topic"] = spec.topic.name
        schema["x-partition-key"] = spec.key
        out[type_] = schema
    return out


def committed_schemas(directory: Path = SCHEMA_DIR) -> dict[str, Schema]:
    return {
        path.name.removesuffix(".json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def _resolve(schema: Schema, root: Schema) -> Schema:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Schema = root["$defs"][ref.removeprefix("#/$defs/")]
        return _resolve(resolved, root)
    return schema


def _variants(schema: Schema, root: Schema) -> list[Schema]:
    schema = _resolve(schema, root)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return [v for option in options for v in _variants(option, root)]
    return [schema]


def _shape(schema: Schema) -> str:
    return str(schema.get("type", "object" if "properties" in schema else "any"))


def breaking_changes(
    old: Schema,
    new: Schema,
    path: str = "",
    *,
    old_root: Schema | None = None,
    new_root: Schema | None = None,
) -> list[str]:
    """Every way ``new`` breaks consumers written against ``old``."""
    old_root = old_root if old_root is not None else old
    new_root = new_root if new_root is not None else new
    problems: list[str] = []
    old_variants = _variants(old, old_root)
    new_variants = _variants(new, new_root)
    new_shapes = {_shape(v) for v in new_variants}
    old_shapes = {_shape(v) for v in old_variants}
    if "any" not in old_shapes and not new_shapes <= old_shapes:
        problems.append(
            f"{path or '/'}: type changed from {sorted(old_shapes)} to {sorted(new_shapes)}"
        )
        return problems
    for o in old_variants:
        match = next((n for n in new_variants if _shape(n) == _shape(o)), None)
        if match is None:
            continue
        if "enum" in o:
            removed = set(map(str, o["enum"])) - {str(v) for v in match.get("enum") or o["enum"]}
            if removed:
                problems.append(f"{path or '/'}: enum values removed: {sorted(removed)}")
        if "const" in o and match.get("const", o["const"]) != o["const"]:
            problems.append(f"{path or '/'}: constant changed")
        if o.get("format") != match.get("format"):
            problems.append(
                f"{path or '/'}: format changed from {o.get('format')} to {match.get('format')}"
            )
        if "properties" in o:
            new_props = match.get("properties", {})
            for name, prop in o["properties"].items():
                if name not in new_props:
                    problems.append(f"{path}/{name}: removed")
                    continue
                problems += breaking_changes(
                    prop, new_props[name], f"{path}/{name}", old_root=old_root, new_root=new_root
                )
            newly_required = set(match.get("required", [])) - set(o.get("required", []))
            for name in sorted(newly_required):
                problems.append(f"{path}/{name}: now required")
        if "items" in o and "items" in match:
            problems += breaking_changes(
                o["items"], match["items"], f"{path}[]", old_root=old_root, new_root=new_root
            )
    return problems


def check(directory: Path = SCHEMA_DIR) -> list[str]:
    """Problems between the committed schemas and the code: drift and breaking changes."""
    current, committed = current_schemas(), committed_schemas(directory)
    problems = []
    for type_, old in committed.items():
        if type_ not in current:
            problems.append(f"{type_}: published version removed from the code")
            continue
        problems += [f"{type_}{p}" for p in breaking_changes(old, current[type_])]
        if old != current[type_]:
            problems.append(f"{type_}: code and committed schema differ (run export)")
    problems += [f"{t}: not exported (run export)" for t in current.keys() - committed.keys()]
    return problems


def export(directory: Path = SCHEMA_DIR, *, force: bool = False) -> list[str]:
    """Write the current schemas; refuse breaking changes to published versions."""
    current, committed = current_schemas(), committed_schemas(directory)
    breaking = [
        f"{t}{p}"
        for t, old in committed.items()
        if t in current
        for p in breaking_changes(old, current[t])
    ]
    if breaking and not force:
        return breaking
    directory.mkdir(parents=True, exist_ok=True)
    for type_, schema in current.items():
        text = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        (directory / f"{type_}.json").write_text(text, encoding="utf-8")
    return []


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    problems = export(force="--force" in argv) if command == "export" else check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems and command == "export":
        print("breaking changes: publish a new version (….v2) instead", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
