"""Reading the store's counters: PostgreSQL's rows and commits, FerretDB's commands."""

from samling_devtools.store_rows import StoreWork, parse_commands, parse_tables, parse_work


def test_work_is_the_last_line_of_psql_output_and_subtracts_field_by_field() -> None:
    before = parse_work("\n12|0|1|40|100\n")
    after = parse_work("\n32|2|1|55|130\n")

    assert after - before == StoreWork(inserts=20, updates=2, deletes=0, rows_read=15, commits=30)
    assert (after - before).per(10, "registration") == (
        "store per registration: 2.0 inserts, 0.2 updates, 0.0 deletes, 1.5 rows read, 3.0 commits"
    )
    assert "commits" not in (after - before).per(10, "registration", commits=False)


def test_tables_are_named_by_their_collection_without_ferretdbs_suffix() -> None:
    output = "\nseats_1a2b3c4d|5|0|0|7\nregistrations_sent_0f0f0f0f|1|0|2|3\n"

    tables = parse_tables(output)

    assert tables == {
        "seats": StoreWork(5, 0, 0, 7, 0),
        "registrations_sent": StoreWork(1, 0, 2, 3, 0),
    }


def test_commands_are_summed_over_opcodes_and_other_metrics_ignored() -> None:
    metrics = "\n".join(
        [
            "# HELP ferretdb_client_requests_total Total number of requests.",
            'ferretdb_client_requests_total{command="insert",opcode="OP_MSG"} 42',
            'ferretdb_client_requests_total{command="find",opcode="OP_MSG"} 7',
            'ferretdb_client_requests_total{command="find",opcode="OP_QUERY"} 1',
            'ferretdb_client_responses_total{argument="unknown",command="insert",opcode="OP_MSG",result="ok"} 42',
        ]
    )

    assert parse_commands(metrics) == {"insert": 42, "find": 8}
