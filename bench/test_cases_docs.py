"""bench/cases.py rewrites only its own column of docs/benchmarks.md: a run of one database and
size in a fresh clone (no other results at hand) keeps the other data sets' columns, the other
sections and the findings. Synthetic results; nothing is measured."""

from bench import cases

DOC = """# Benchmarks

## Grid lookup

hand-written, kept.

## Cases

old prose

| machine | SQLite, town | PostgreSQL, city |
|---|---|---|
| nproc | 2 | 8 |
| database | SQLite 3.40.1 | PostgreSQL 15.20 |

| measurement | goal | SQLite, town | PostgreSQL, city |
|---|---|---|---|
| workbench list, filters and search (worst p95) | ≤ 100 ms | 18 ms, old (raw query 1 ms) yes | 31 ms, kept (raw query 11 ms) yes |
| CSV export: peak memory, all rows vs 10,000 | constant | 5.5 MB, kept | 5.6 MB, kept |

| workbench scenario | SQLite, town | PostgreSQL, city |
|---|---|---|
| all cases, first page | 11 / 13 ms (old) | 16 / 18 ms (kept) |
| a scenario dropped since | 1 / 1 ms (old) | 2 / 2 ms (kept) |

### Findings

- hand-written, kept.
"""


def scenario(name: str, median: float) -> dict:
    return {"scenario": name, "median_ms": median, "p95_ms": median + 1,
            "ceiling_median_ms": 0.5, "ceiling_p95_ms": 0.6, "queries": 8}


RESULT = {
    "machine": {"nproc": "4", "cpu": "Kunpeng 920", "ram_gb": 16.0, "python": "3.12.1",
                "django": "5.2.19", "database": "SQLite 3.45.0"},
    "data": {"cases": 40000, "events": 54000, "event_share": 0.2, "generation_s": 18,
             "rollup_s": 12},
    "load_average": [0.5, 1.5],
    "workbench": {"scenarios": [scenario("all cases, first page", 9),
                                scenario("a new scenario", 5)]},
}


def table(text: str, name: str) -> cases.Table:
    return cases.parse_tables(cases.SECTION.search(text).group(0))[name]


def test_a_run_replaces_its_column_and_keeps_the_others():
    text = cases.updated_docs(DOC, ("sqlite", "town"), RESULT)

    machine = table(text, "machine")
    assert machine.columns == ["SQLite, town", "PostgreSQL, city"]
    assert machine.rows["nproc"][1] == {"SQLite, town": "4", "PostgreSQL, city": "8"}
    assert machine.rows["CPU"][1] == {"SQLite, town": "Kunpeng 920"}  # a row new to the table

    workbench = table(text, "workbench scenario")
    assert workbench.rows["all cases, first page"][1] == {
        "SQLite, town": "9 / 10 ms (raw 0.5 ms; 8 queries)", "PostgreSQL, city": "16 / 18 ms (kept)"}
    # This run no longer measures it: the other column keeps its figure, this one has none.
    assert workbench.rows["a scenario dropped since"][1] == {"PostgreSQL, city": "2 / 2 ms (kept)"}
    assert "| a scenario dropped since | — | 2 / 2 ms (kept) |" in text
    assert workbench.rows["a new scenario"][1] == {"SQLite, town": "5 / 6 ms (raw 0.5 ms; 8 queries)"}

    summary = table(text, "measurement")
    assert summary.fixed == ["goal"]
    row = summary.rows["workbench list, filters and search (worst p95)"]
    assert row[0] == ["≤ 100 ms"] and row[1]["PostgreSQL, city"].endswith("kept (raw query 11 ms) yes")
    assert row[1]["SQLite, town"].startswith("10 ms, all cases, first page")  # the worst p95
    # Not measured in this run (--only workbench), nor ever before: a dash in both columns;
    # measured before: this column keeps the figure of its last run.
    assert summary.rows["intake, resident report form (cases/s, median)"][1] == {}
    assert "| intake, resident report form (cases/s, median) | ≥ 30% of the ceiling | — | — |" in text
    assert summary.rows["CSV export: peak memory, all rows vs 10,000"][1] == {
        "SQLite, town": "5.5 MB, kept", "PostgreSQL, city": "5.6 MB, kept"}

    assert text.startswith("# Benchmarks\n\n## Grid lookup\n\nhand-written, kept.\n")
    assert text.endswith("### Findings\n\n- hand-written, kept.\n")
    assert "old prose" not in text


def test_a_new_data_set_gets_its_column_in_the_usual_order_and_a_rerun_changes_nothing():
    once = cases.updated_docs(DOC, ("postgres", "town"), RESULT)
    assert table(once, "machine").columns == ["SQLite, town", "PostgreSQL, town",
                                             "PostgreSQL, city"]
    assert table(once, "workbench scenario").rows["all cases, first page"][1]["SQLite, town"] == \
        "11 / 13 ms (old)"
    assert cases.updated_docs(once, ("postgres", "town"), RESULT) == once


def test_a_document_without_the_section_gets_it_appended():
    text = cases.updated_docs("# Benchmarks\n", ("sqlite", "city"), RESULT)
    assert text.startswith("# Benchmarks\n\n## Cases\n")
    assert table(text, "data set").rows["cases"][1] == {"SQLite, city": "40,000"}


def test_the_committed_document_parses_into_every_table_with_four_columns():
    text = cases.DOCS.read_text(encoding="utf-8")
    tables = cases.parse_tables(cases.SECTION.search(text).group(0))
    assert set(tables) == {"machine", "data set", "measurement", "workbench scenario",
                           "indicators scenario", "Open311 scenario"}
    assert all(t.columns == list(cases.LABELS.values()) for t in tables.values())
