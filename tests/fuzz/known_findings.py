"""Fuzzing findings that need a change in a service's routes (services/*/adapters/api/).

Each key is ``<service> <METHOD> <path> <check title> [<status>]`` exactly as the fuzz test
prints it; the value says what should happen instead. The fuzz test prints those it sees and
fails on any finding not listed here. Empty this list as the routes are fixed.
"""

KNOWN: dict[str, str] = {}
