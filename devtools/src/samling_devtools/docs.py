"""Generated parts of README.md: the event catalogue and the configuration reference.

``python -m samling_devtools.docs`` rewrites the marked regions of README.md from the code
(``samling_contracts`` for the catalogue, the services' settings classes for the
configuration); ``--check`` only reports whether they are up to date (a test runs it).
A region is everything between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from samling_contracts import ALL_TOPICS, REGISTRY, Fact
from samling_runtime.settings import ServiceSettings

from samling_devtools.infra import repo_root

README = repo_root() / "README.md"


def service_settings() -> dict[str, type[ServiceSettings]]:
    """The settings class of each service (imported here only: devtools, not a service)."""
    from samling_events.settings import EventsSettings
    from samling_network.settings import NetworkSettings
    from samling_notifications.settings import NotificationsSettings
    from samling_web.settings import WebSettings

    return {
        "network": NetworkSettings,
        "events": EventsSettings,
        "notifications": NotificationsSettings,
        "web": WebSettings,
    }


# --- the event catalogue -------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def describe(fact: type[Fact]) -> str:
    """The first sentence of the fact's docstring, else one made from its type name."""
    doc = fact.__doc__ or ""
    if doc and doc != Fact.__doc__ and not doc.startswith(fact.__name__ + "("):
        first = doc.strip().split("\n\n")[0]
        return _cell(first)
    parts = fact.spec().type.split(".")
    return f"{parts[3].replace('-', ' ').capitalize()} {parts[4].replace('-', ' ')}."


def catalogue() -> str:
    lines = [
        "Generated from [`contracts/`](contracts/) by `python -m samling_devtools.docs`.",
        "",
        "| topic | key | partitions | what it carries |",
        "|---|---|---|---|",
    ]
    for topic in ALL_TOPICS:
        lines.append(
            f"| `{topic.name}` | `{topic.key}` | {topic.partitions} | {_cell(topic.description)} |"
        )
    lines += [
        "",
        "Every topic has a dead-letter topic `<topic>.dlq`. One line per event type "
        "(the CloudEvent `type`; its JSON Schema is `contracts/schemas/<type>.json`):",
        "",
        "| event type | topic | key | description |",
        "|---|---|---|---|",
    ]
    by_topic = sorted(REGISTRY.items(), key=lambda item: ALL_TOPICS.index(item[1].spec().topic))
    for type_, fact in by_topic:
        spec = fact.spec()
        lines.append(f"| `{type_}` | `{spec.topic.name}` | `{spec.key}` | {describe(fact)} |")
    return "\n".join(lines)


# --- the configuration reference ----------------------------------------------------------


def _default(info: FieldInfo) -> str:
    value: Any = info.default
    if value is PydanticUndefined:
        return "(required)"
    if value is None:
        return "—"
    if isinstance(value, SecretStr):
        return "(development key; refused in production)"
    if isinstance(value, Enum):
        value = value.value
    return f"`{value}`"


def _row(env: str, info: FieldInfo) -> str:
    return f"| `{env}` | {_default(info)} | {_cell(info.description or '')} |"


def configuration() -> str:
    classes = service_settings()
    header = ["| variable | default | description |", "|---|---|---|"]

    def same_everywhere(name: str) -> bool:
        base = ServiceSettings.model_fields[name]
        return all(
            (info := cls.model_fields.get(name)) is not None
            and (info.default, info.description) == (base.default, base.description)
            for cls in classes.values()
        )

    names = list(ServiceSettings.model_fields)
    shared = [n for n in names if same_everywhere(n)]
    lines = [
        "Generated from the settings classes by `python -m samling_devtools.docs`. Each service "
        "reads environment variables with its own prefix: `SAMLING_NETWORK_`, `SAMLING_EVENTS_`, "
        "`SAMLING_NOTIFICATIONS_`, `SAMLING_WEB_` (written `SAMLING_<SERVICE>_` below). The web "
        "app owns no data: it ignores the store and relay settings, and reads Kafka only for "
        "the coordinators' live dashboard.",
        "",
        "**Every service**",
        "",
        *header,
        *(_row(f"SAMLING_<SERVICE>_{n.upper()}", ServiceSettings.model_fields[n]) for n in shared),
    ]
    for service, cls in classes.items():
        prefix = str(cls.model_config.get("env_prefix"))
        own = [n for n in cls.model_fields if n not in shared]
        lines += ["", f"**{service}** (`{cls.__module__}.{cls.__name__}`)", "", *header]
        lines += [_row(f"{prefix}{n.upper()}", cls.model_fields[n]) for n in own]
    return "\n".join(lines)


# --- regions -------------------------------------------------------------------------------

GENERATORS: dict[str, Callable[[], str]] = {
    "catalogue": catalogue,
    "configuration": configuration,
}


class MissingRegion(ValueError):
    pass


def replace_region(text: str, name: str, content: str) -> str:
    pattern = re.compile(
        rf"(<!-- {re.escape(name)}:start -->).*?(<!-- {re.escape(name)}:end -->)", re.S
    )
    if not pattern.search(text):
        raise MissingRegion(f"no <!-- {name}:start --> … <!-- {name}:end --> region")
    return pattern.sub(lambda m: f"{m.group(1)}\n{content}\n{m.group(2)}", text, count=1)


def render(text: str) -> str:
    for name, generate in GENERATORS.items():
        text = replace_region(text, name, generate())
    return text


def main(argv: list[str] | None = None, readme: Path = README) -> int:
    args = sys.argv[1:] if argv is None else argv
    current = readme.read_text()
    wanted = render(current)
    if "--check" in args:
        if wanted != current:
            print(
                f"{readme} is out of date: run `uv run python -m samling_devtools.docs`",
                file=sys.stderr,
            )
            return 1
        return 0
    if wanted != current:
        readme.write_text(wanted)
        print(f"updated {readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
