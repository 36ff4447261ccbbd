"""The verdict matrix of flink-rehearsal.md, on a real Flink 1.17 (one shared runner).

Each case is a change a user makes to a job's SQL or settings, and the verdict DLI would give it.
"""

from __future__ import annotations

import pytest
from dli_flink.rehearse.rehearsal import Verdict

ORDERS = """
CREATE TABLE orders (
  customer_id INT,
  amount BIGINT,
  region STRING,
  order_time TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL,
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'kafka:9092',
        'format' = 'json');
CREATE TABLE totals (customer_id INT, biggest BIGINT, PRIMARY KEY (customer_id) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://db:5432/shop', 'table-name' = 'totals');
"""
BIGGEST = (
    ORDERS + "INSERT INTO totals SELECT customer_id, MAX(amount) FROM orders GROUP BY customer_id;"
)


@pytest.mark.parametrize(("old", "new"), [(2, 4), (4, 2)])
def test_same_sql_at_another_parallelism_restores(rehearse_sql, old, new) -> None:
    outcome = rehearse_sql(BIGGEST, BIGGEST, old_parallelism=old, new_parallelism=new)
    assert outcome.verdict == Verdict.RESTORES
    assert "checkpoints completed after the restore" in outcome.reason
    assert not outcome.warnings and not outcome.caveats


def test_column_added_to_an_aggregate_fails_after_restore(rehearse_sql) -> None:
    new = BIGGEST.replace("biggest BIGINT,", "biggest BIGINT, smallest BIGINT,").replace(
        "MAX(amount) FROM", "MAX(amount), MIN(amount) FROM"
    )
    outcome = rehearse_sql(BIGGEST, new)
    assert outcome.verdict == Verdict.FAILS
    assert outcome.verdict.blocks
    assert outcome.reason.startswith("StateMigrationException:")
    assert "RowDataSerializer" in outcome.reason


def test_insert_added_to_the_statement_set_is_refused_naming_the_existing_aggregate(
    rehearse_sql,
) -> None:
    new = BIGGEST + (
        "CREATE TABLE audit (region STRING) WITH ('connector' = 'print');"
        "INSERT INTO audit SELECT region FROM orders;"
    )
    outcome = rehearse_sql(BIGGEST, new)
    assert outcome.verdict == Verdict.REFUSED
    assert outcome.reason.startswith("Cannot map checkpoint/savepoint state for operator")
    homeless = {state.operator.split("(")[0]: state for state in outcome.state}
    aggregate = homeless["GroupAggregate"]
    assert "groupBy=[customer_id]" in aggregate.operator and aggregate.bytes > 0
    assert [s for s in outcome.state if s.id in outcome.reason], "the refused operator is named"
    assert any("INSERT INTO audit was added" in w for w in outcome.warnings)


TWO_AGGREGATES = BIGGEST + (
    "CREATE TABLE counts (region STRING, n BIGINT) WITH ('connector' = 'print');"
    "INSERT INTO counts SELECT region, COUNT(*) FROM orders GROUP BY region;"
)
ONE_REMOVED = (
    BIGGEST + "CREATE TABLE counts (region STRING, n BIGINT) WITH ('connector' = 'print');"
)


def test_aggregate_removed_is_refused(rehearse_sql) -> None:
    outcome = rehearse_sql(TWO_AGGREGATES, ONE_REMOVED)
    assert outcome.verdict == Verdict.REFUSED
    assert any("COUNT(*)" in state.operator for state in outcome.state)


def test_aggregate_removed_with_non_restored_state_allowed_restores_and_names_what_is_dropped(
    rehearse_sql,
) -> None:
    outcome = rehearse_sql(TWO_AGGREGATES, ONE_REMOVED, allow_non_restored=True)
    assert outcome.verdict == Verdict.RESTORES
    dropped = [state for state in outcome.state if "COUNT(*)" in state.operator]
    assert dropped and dropped[0].bytes > 0


def test_state_ttl_enabled_fails_after_restore_and_says_why(rehearse_sql) -> None:
    outcome = rehearse_sql(BIGGEST, BIGGEST, new_options={"table.exec.state.ttl": "1 h"})
    assert outcome.verdict == Verdict.FAILS
    assert "TtlSerializer" in outcome.reason
    assert any(w.startswith("state TTL enabled") for w in outcome.warnings)


def test_kafka_source_with_a_where_clause_added_restores_as_on_kafka(rehearse_sql) -> None:
    """Kafka 1.12-1.17 pushes no projection down, so its graph keeps the Calc a WHERE joins."""
    new = BIGGEST.replace("FROM orders GROUP", "FROM orders WHERE amount > 0 GROUP")
    outcome = rehearse_sql(BIGGEST, new)
    assert outcome.verdict == Verdict.RESTORES
    assert not outcome.caveats
    assert any(
        s.table == "orders" and s.stand_in.startswith("datagen") for s in outcome.substitutions
    )


def test_file_source_with_a_where_clause_added_is_refused_as_on_obs(rehearse_sql) -> None:
    """A filesystem source pushes projections down (with no watermark to assign, no Calc follows
    it): the WHERE adds a node before the aggregate."""
    files = (
        BIGGEST.replace(
            "'connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'kafka:9092',",
            "'connector' = 'filesystem', 'path' = 'obs://bucket/orders',",
        )
        .replace(" METADATA FROM 'timestamp' VIRTUAL", "")
        .replace(",\n  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND", "")
    )
    new = files.replace("FROM orders GROUP", "FROM orders WHERE amount > 0 GROUP")
    outcome = rehearse_sql(files, new)
    assert outcome.verdict == Verdict.REFUSED


def test_group_by_key_changed_to_one_of_the_same_type_restores_with_a_warning(rehearse_sql) -> None:
    new = BIGGEST.replace("SELECT customer_id, MAX", "SELECT CHAR_LENGTH(region), MAX").replace(
        "GROUP BY customer_id", "GROUP BY CHAR_LENGTH(region)"
    )
    outcome = rehearse_sql(BIGGEST, new)
    assert outcome.verdict == Verdict.RESTORES
    assert any("GROUP BY keys changed" in w for w in outcome.warnings)


def test_a_longer_tumbling_window_restores_with_a_warning(rehearse_sql) -> None:
    windows = ORDERS + (
        "CREATE TABLE per_minute (w TIMESTAMP(3), n BIGINT) WITH ('connector' = 'print');"
        "INSERT INTO per_minute SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, "
        "DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;"
    )
    outcome = rehearse_sql(windows, windows.replace("INTERVAL '1' MINUTE", "INTERVAL '5' MINUTE"))
    assert outcome.verdict == Verdict.RESTORES
    assert any(
        w.startswith("window changed") and "1 min" in w and "5 min" in w for w in outcome.warnings
    ), outcome.warnings


def test_upsert_kafka_source_changed_is_uncertain(rehearse_sql) -> None:
    upsert = BIGGEST.replace(
        "'connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'kafka:9092',\n"
        "        'format' = 'json'",
        "'connector' = 'upsert-kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = "
        "'kafka:9092', 'key.format' = 'json', 'value.format' = 'json'",
    ).replace("region STRING,", "region STRING, PRIMARY KEY (customer_id) NOT ENFORCED,")
    new = upsert.replace("FROM orders GROUP", "FROM orders WHERE amount > 0 GROUP")
    outcome = rehearse_sql(upsert, new)
    assert outcome.verdict == Verdict.UNCERTAIN
    assert any("upsert-kafka" in caveat for caveat in outcome.caveats)
    assert not outcome.verdict.blocks


def test_lookup_join_is_not_rehearsed(rehearse_sql) -> None:
    lookup = ORDERS.replace("region STRING,", "region STRING, proc AS PROCTIME(),") + (
        "CREATE TABLE customers (id INT, tier STRING) WITH ('connector' = 'jdbc', 'url' = 'x');"
        "CREATE TABLE tiers (customer_id INT, tier STRING) WITH ('connector' = 'print');"
        "INSERT INTO tiers SELECT o.customer_id, c.tier FROM orders AS o "
        "JOIN customers FOR SYSTEM_TIME AS OF o.proc AS c ON o.customer_id = c.id;"
    )
    outcome = rehearse_sql(lookup, lookup, new_parallelism=4)
    assert outcome.verdict == Verdict.NOT_REHEARSED
    assert "customers (jdbc) is joined FOR SYSTEM_TIME AS OF" in outcome.reason


def test_a_new_version_that_does_not_compile_says_what_the_planner_says(rehearse_sql) -> None:
    outcome = rehearse_sql(BIGGEST, BIGGEST.replace("MAX(amount)", "MAX(amount_typo)"))
    assert outcome.verdict == Verdict.NEW_DOES_NOT_COMPILE
    assert "amount_typo" in outcome.reason


JOINED = ORDERS + (
    "CREATE TABLE customers (id INT, tier STRING, name STRING) WITH ('connector' = 'jdbc', 'url' = 'x');"
    "CREATE TABLE tiers (customer_id INT, tier STRING) WITH ('connector' = 'print');"
    "INSERT INTO tiers SELECT o.customer_id, c.tier FROM orders AS o "
    "JOIN customers AS c ON o.customer_id = c.id;"
)


def test_a_jdbc_table_read_another_way_makes_a_restore_uncertain(rehearse_sql) -> None:
    """JDBC pushes the projection (two of three columns) into its scan, datagen keeps a Calc for it:
    a filter joins that Calc, where on JDBC it adds a node."""
    filtered = JOINED.replace(
        "ON o.customer_id = c.id;", "ON o.customer_id = c.id WHERE c.tier <> 'x';"
    )
    outcome = rehearse_sql(JOINED, filtered)
    assert outcome.verdict == Verdict.UNCERTAIN
    assert any(c.startswith("customers is read through jdbc") for c in outcome.caveats)


def test_a_jdbc_table_read_the_same_way_leaves_the_verdict_certain(rehearse_sql) -> None:
    wider = JOINED.replace("SELECT o.customer_id, c.tier", "SELECT o.customer_id, UPPER(c.tier)")
    outcome = rehearse_sql(JOINED, wider)
    assert outcome.verdict == Verdict.RESTORES
    assert not outcome.caveats
