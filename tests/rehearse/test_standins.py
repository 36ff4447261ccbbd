"""Scripts cut as Flink's SQL client cuts them, and connectors swapped without touching the schema."""

from __future__ import annotations

from pathlib import Path

from dli_flink.rehearse import sql, standins

SCRIPT = """
SET 'table.exec.state.ttl' = '1 h';
-- a comment; with a semicolon
CREATE TABLE clicks (
  user_id BIGINT,
  url STRING COMMENT 'the page; as seen',
  meta ROW<a INT, b MAP<STRING, INT>>,
  ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  day AS CAST(ts AS DATE),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (user_id) NOT ENFORCED
) WITH ('connector' = 'kafka', 'topic' = 'it''s', 'format' = 'json');
CREATE TABLE `sink` (user_id BIGINT, n BIGINT, part STRING METADATA VIRTUAL)
  WITH ('connector' = 'kafka', 'topic' = 'out', 'sink.parallelism' = '3');
EXECUTE STATEMENT SET BEGIN
INSERT INTO `sink` SELECT user_id, COUNT(*) FROM clicks /* ; */ GROUP BY user_id;
END;
"""


def test_statements_are_cut_at_top_level_semicolons_only() -> None:
    statements = sql.split(SCRIPT)
    assert [s.kind for s in statements] == ["set", "create_table", "create_table", "insert"]
    assert sql.set_option(statements[0]) == ("table.exec.state.ttl", "1 h")
    assert statements[3].text.startswith("INSERT INTO `sink` SELECT")
    assert sql.insert_target(statements[3]) == "sink"


def test_a_kafka_source_becomes_a_stateful_datagen_with_its_schema_kept(tmp_path: Path) -> None:
    script = standins.prepare(SCRIPT, "1.17", tmp_path)
    assert script.options == {"table.exec.state.ttl": "1 h"}
    clicks = script.statements[0].text
    assert "'connector' = 'datagen'" in clicks and "'fields.user_id.kind' = 'sequence'" in clicks
    for kept in (
        "meta ROW<a INT, b MAP<STRING, INT>>",
        "ts TIMESTAMP_LTZ(3)",
        "day AS CAST(ts AS DATE)",
        "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND",
        "PRIMARY KEY (user_id) NOT ENFORCED",
        "COMMENT 'the page; as seen'",
    ):
        assert kept in clicks
    assert "METADATA" not in clicks and "topic" not in clicks


def test_a_kafka_sink_becomes_a_local_filesystem_sink_keeping_its_parallelism(tmp_path) -> None:
    script = standins.prepare(SCRIPT, "1.17", tmp_path)
    sink = script.statements[1].text
    assert "'connector' = 'filesystem'" in sink and "'sink.parallelism' = '3'" in sink
    assert f"'path' = '{(tmp_path / 'tables' / 'sink').as_uri()}'" in sink
    assert "part STRING" not in sink, "a VIRTUAL metadata column is not written by a sink"
    facts = {s.table: s.fact for s in script.substitutions}
    assert facts == {"clicks": standins.KAFKA_SOURCE, "sink": standins.FILE_SINK}


def test_only_a_changed_script_can_make_the_stand_ins_uncertain(tmp_path) -> None:
    upsert = SCRIPT.replace(
        "'connector' = 'kafka', 'topic' = 'it''s'", "'connector' = 'upsert-kafka'"
    )
    same = standins.prepare(upsert, "1.17", tmp_path)
    reformatted = standins.prepare(upsert.replace("\n", "\n\n  "), "1.17", tmp_path)
    changed = standins.prepare(upsert.replace("COUNT(*)", "COUNT(url)"), "1.17", tmp_path)
    assert standins.caveats(same, reformatted, "1.17", set()) == []
    assert any("upsert-kafka" in c for c in standins.caveats(same, changed, "1.17", set()))


def test_a_job_with_a_udf_cannot_run_here_and_says_why(tmp_path) -> None:
    script = standins.prepare(
        "CREATE TEMPORARY FUNCTION mask AS 'com.example.Mask';" + SCRIPT, "1.17", tmp_path
    )
    assert script.unrunnable == [
        "the job declares a function (CREATE TEMPORARY FUNCTION mask ...) whose class comes from "
        "its UDF jar, which does not run here"
    ]
