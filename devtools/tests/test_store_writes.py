"""The per-collection store counters: psql's lines parsed by collection (FerretDB's table
hash dropped), two readings subtracted, and the figures divided per unit of work."""

from samling_devtools.store_writes import TableCounters, parse_counters

BEFORE = """
table|notifications_1a2b3c4d|10|0|0|5|7|1|2
table|processed_events_0f0e0d0c|4|0|1|100|0|1|0
commits|50
"""
AFTER = """
table|notifications_1a2b3c4d|30|0|0|5|27|1|12
table|processed_events_0f0e0d0c|34|0|1|900|0|5|6
table|mail_chunks_99999999|2|0|2|0|2|0|2
commits|90
"""


def test_a_reading_is_by_collection_and_a_difference_per_unit() -> None:
    spent = parse_counters(AFTER) - parse_counters(BEFORE)
    assert spent.tables["notifications"] == (20, 0, 0, 0, 20, 0, 10)
    assert spent.tables["processed_events"] == (30, 0, 0, 800, 0, 4, 6)
    assert spent.tables["mail_chunks"] == (2, 0, 2, 0, 2, 0, 2)  # new since the first
    assert spent.commits == 40
    assert spent.total("inserted") == 52
    lines = spent.lines(10, "registration")
    assert lines[1].split()[0] == "processed_events"  # the busiest first
    assert lines[-2].split() == ["all", "5.20", "0.00", "0.20", "80.00", "2.20", "0.40", "1.80"]
    assert lines[-1].endswith("4.00")


def test_an_idle_reading_prints_only_its_totals() -> None:
    lines = TableCounters({"recipients": (0,) * 7}, 3).lines(0, "registration")
    assert [line.split()[0] for line in lines[1:]] == ["all", "PostgreSQL"]
