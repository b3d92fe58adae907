"""README's generated regions are up to date, and the generator does what it says."""

from pathlib import Path

import pytest
from samling_contracts import REGISTRY
from samling_devtools import docs


def test_readme_is_up_to_date() -> None:
    """Fails after a contract or settings change: run `uv run python -m samling_devtools.docs`."""
    assert docs.main(["--check"]) == 0


def test_check_fails_and_rewrite_fixes_a_stale_readme(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n<!-- catalogue:start -->\nSTALE-ROW\n<!-- catalogue:end -->\n\nkept\n\n"
        "<!-- configuration:start -->\n<!-- configuration:end -->\n"
    )
    assert docs.main(["--check"], readme=readme) == 1
    assert docs.main([], readme=readme) == 0
    text = readme.read_text()
    assert docs.main(["--check"], readme=readme) == 0
    assert "STALE-ROW" not in text
    assert text.startswith("# Title\n\n<!-- catalogue:start -->\n")
    assert "\nkept\n" in text


def test_missing_region_is_an_error() -> None:
    with pytest.raises(docs.MissingRegion):
        docs.replace_region("no markers here", "catalogue", "x")


def test_catalogue_has_one_line_per_event_type() -> None:
    catalogue = docs.catalogue()
    for type_, fact in REGISTRY.items():
        (line,) = [row for row in catalogue.splitlines() if row.startswith(f"| `{type_}` |")]
        spec = fact.spec()
        assert f"| `{spec.topic.name}` | `{spec.key}` |" in line


def test_configuration_lists_every_setting_of_every_service() -> None:
    configuration = docs.configuration()
    for service, cls in docs.service_settings().items():
        prefix = f"SAMLING_{service.upper()}_"
        for name in cls.model_fields:
            assert f"`{prefix}{name.upper()}`" in configuration or (
                f"`SAMLING_<SERVICE>_{name.upper()}`" in configuration
            ), f"{prefix}{name.upper()} is missing"
    assert "dev-only-insecure" not in configuration  # the key itself is never printed
