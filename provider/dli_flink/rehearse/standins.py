"""Connector stand-ins: a job's script made runnable on a laptop, with the verdict it would get on DLI.

Kafka, DIS, JDBC, DWS or OBS cannot run here, so each source and sink is replaced by a built-in
connector. Operator ids (what savepoint state is mapped by) come from the graph's shape, and the
connector shapes the graph (flink-rehearsal.md, "Connectors: the stand-in can change the verdict"), so
each rule below keeps what decides the verdict and cites the fact it follows. Schema, primary keys,
computed columns, watermarks and PARTITIONED BY are never touched; only the WITH options change, and
metadata columns become physical ones (the built-in connectors have no metadata).

Where no stand-in can promise the real connector's verdict, the difference is returned as a caveat, and
the rehearsal then says "uncertain" instead of "restores".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dli_flink.rehearse import sql

SEQUENCE_END = 20_000
"""Values in a sequence stand-in: its state is 8 bytes per value not yet read (flink-rehearsal.md:
"keep its range small"), and at ROWS_PER_SECOND it lasts well beyond a rehearsal."""
ROWS_PER_SECOND = 50
_SEQUENCE_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "STRING", "VARCHAR", "CHAR"}
)

# Facts, quoted from flink-rehearsal.md, that the rules follow.
KAFKA_SOURCE = (
    "kafka/dis sources -> datagen with one `sequence` field (stateful, as Kafka's offsets are); "
    "Kafka 1.12-1.17 has no projection push-down, so datagen matches it"
)
FILE_SOURCE = "filesystem/obs -> filesystem on a local folder with `source.monitor-interval`"
FILE_SINK = "append-only Kafka sinks -> a filesystem sink (stateful, two nodes)"
BLACKHOLE = "jdbc, dws, print sinks -> blackhole"
WATERMARK = "datagen adds a WatermarkAssigner node, Kafka does not (watermark push-down)"
UPSERT = (
    "an upsert-kafka source adds a stateful ChangelogNormalize; upsert sinks with a primary key can "
    "add a SinkUpsertMaterializer"
)
PUSH_DOWN = "a source that pushes projections down is refused where datagen restores"
NODE_COUNT = "Kafka's sink is two nodes in 1.15+ (writer, committer), one in 1.12"
LOOKUP = "a jdbc table in a lookup join cannot be replaced by datagen"
PARALLELISM = "keep `*.parallelism` options"

_KAFKA_LIKE = frozenset({"kafka", "dis"})
_CHANGELOG_SOURCES = frozenset(
    {"upsert-kafka", "mysql-cdc", "postgres-cdc", "oracle-cdc", "sqlserver-cdc", "mongodb-cdc"}
)
_FILES = frozenset({"filesystem", "obs"})
_BLACKHOLE_SINKS = frozenset({"jdbc", "dws", "print", "blackhole"})
_FILE_SINKS = _FILES | {"kafka"}
"""DIS sinks are not among them: the doc measured Kafka's, and DIS's own sink may differ."""
_RUNS_HERE = frozenset({"datagen"})
_VERSIONED = _KAFKA_LIKE | _CHANGELOG_SOURCES | _FILES | _RUNS_HERE
"""Tables joined FOR SYSTEM_TIME AS OF that are versioned tables (an event-time temporal join,
which a stand-in can serve), not lookup sources."""


@dataclass(frozen=True)
class Substitution:
    table: str
    connector: str
    stand_in: str
    fact: str


@dataclass
class Script:
    """A job's SQL as the runner takes it: statements, SET options, and what was substituted."""

    original: list[sql.Statement]
    """The job's statements but SET, before substitution."""
    statements: list[sql.Statement]
    options: dict[str, str]
    tables: dict[str, sql.CreateTable]
    """The job's own tables, by name, before substitution."""
    inserts: list[str]
    substitutions: list[Substitution] = field(default_factory=list)
    unrunnable: list[str] = field(default_factory=list)
    """Why the script cannot run here at all (a lookup join)."""

    def shape(self) -> tuple[tuple[str, ...], ...]:
        """The script without layout or comments, stand-ins not applied."""
        return tuple(statement.shape() for statement in self.original)

    def runner_statements(self) -> list[dict[str, object]]:
        return [{"sql": s.text, "insert": s.kind == "insert"} for s in self.statements]


def prepare(script: str, version: str, folder: Path) -> Script:
    """The script with every connector that cannot run here replaced (tables' files under `folder`)."""
    parsed = sql.split(script)
    options = dict(filter(None, (sql.set_option(s) for s in parsed if s.kind == "set")))
    body = [s for s in parsed if s.kind != "set"]
    tables = {t.name: t for s in body if s.kind == "create_table" and (t := sql.create_table(s))}
    inserts = [target for s in body if s.kind == "insert" and (target := sql.insert_target(s))]
    result = Script(body, [], options, tables, inserts)
    lookups = {name for s in body if s.kind == "insert" for name in sql.lookup_tables(s)}
    for name in sorted(lookups & tables.keys()):
        if tables[name].connector not in _VERSIONED:
            result.unrunnable.append(
                f"table {name} ({tables[name].connector}) is joined FOR SYSTEM_TIME AS OF: "
                f"no local stand-in serves lookups ({LOOKUP})"
            )
    for statement in body:
        head = statement.words[:4]
        if head[0].upper == "CREATE" and "FUNCTION" in [token.upper for token in head]:
            declared = " ".join(token.text for token in head)
            result.unrunnable.append(
                f"the job declares a function ({declared} ...) whose class comes from its UDF jar, "
                "which does not run here"
            )
        table = sql.create_table(statement) if statement.kind == "create_table" else None
        if table is None:
            result.statements.append(statement)
            continue
        sink = table.name in inserts
        columns, options, substitution = (_sink if sink else _source)(table, version, folder)
        result.statements.append(table.rebuilt(columns, options))
        result.substitutions.append(substitution)
    return result


def _source(
    table: sql.CreateTable, version: str, folder: Path
) -> tuple[list[sql.Column], dict[str, str], Substitution]:
    columns = [c.as_physical() if c.role == "metadata" else c for c in table.columns]
    connector = table.connector
    if connector in _RUNS_HERE:
        return columns, table.options, Substitution(table.name, connector, connector, "runs here")
    if connector in _FILES and version != "1.12":
        options = _files(table, folder)
        options["source.monitor-interval"] = "1 s"
        return columns, options, Substitution(table.name, connector, "filesystem", FILE_SOURCE)
    if connector in _KAFKA_LIKE | _CHANGELOG_SOURCES:
        sequence = next(
            (c.name for c in columns if c.role == "physical" and c.type_name in _SEQUENCE_TYPES),
            None,
        )
        if sequence is not None:
            options = {
                "connector": "datagen",
                "rows-per-second": str(ROWS_PER_SECOND),
                f"fields.{sequence}.kind": "sequence",
                f"fields.{sequence}.start": "1",
                f"fields.{sequence}.end": str(SEQUENCE_END),
            }
            stand_in = f"datagen (sequence on {sequence})"
            return columns, options, Substitution(table.name, connector, stand_in, KAFKA_SOURCE)
    options = {"connector": "datagen", "rows-per-second": str(ROWS_PER_SECOND)}
    return columns, options, Substitution(table.name, connector, "datagen", PUSH_DOWN)


def _sink(
    table: sql.CreateTable, version: str, folder: Path
) -> tuple[list[sql.Column], dict[str, str], Substitution]:
    """Sinks write physical and persisted metadata columns; VIRTUAL ones are not written at all."""
    columns = [
        c.as_physical() if c.role == "metadata" else c
        for c in table.columns
        if not (c.role == "metadata" and c.virtual)
    ]
    connector = table.connector
    if connector in _FILE_SINKS:
        options = _files(table, folder)
        fact = FILE_SINK if connector == "kafka" else FILE_SOURCE
        return columns, options, Substitution(table.name, connector, "filesystem", fact)
    if connector in _BLACKHOLE_SINKS:
        fact = BLACKHOLE
    elif connector in _CHANGELOG_SOURCES:
        fact = UPSERT
    else:
        fact = "no stand-in is known to match it: blackhole (stateless, one node)"
    return (
        columns,
        {"connector": "blackhole"},
        Substitution(table.name, connector, "blackhole", fact),
    )


def _files(table: sql.CreateTable, folder: Path) -> dict[str, str]:
    path = folder / "tables" / table.name
    path.mkdir(parents=True, exist_ok=True)
    options = {"connector": "filesystem", "path": path.as_uri(), "format": "json"}
    if "sink.parallelism" in table.options:
        options["sink.parallelism"] = table.options["sink.parallelism"]
    return options


def caveats(old: Script, new: Script, version: str, same_reading: set[str]) -> list[str]:
    """Where the stand-ins cannot promise the real connectors' verdict for this change.

    Only a change of the SQL can re-shape the graph: with the same statements the old and new graphs
    are alike whatever the connectors are, so then there is nothing to doubt. Nor is there for a
    table in `same_reading`, read with the same projection and filter by both versions: what a
    source with push-down would take into its scan is then the same too.
    """
    if old.shape() == new.shape():
        return []
    found: list[str] = []
    tables = {**old.tables, **new.tables}
    sinks = set(old.inserts) | set(new.inserts)
    for name in sorted(tables):
        connector = tables[name].connector
        before, after = old.tables.get(name), new.tables.get(name)
        if connector in _CHANGELOG_SOURCES:
            found.append(f"the jobs use {connector} (table {name}): {UPSERT}")
        elif name in sinks and connector not in _FILE_SINKS | _BLACKHOLE_SINKS:
            found.append(f"no stand-in is known to match the {connector} sink {name}")
        elif name in same_reading:
            pass
        elif name not in sinks and connector not in _KAFKA_LIKE | _FILES | _RUNS_HERE:
            found.append(
                f"{name} is read through {connector}, which datagen stands in for: {PUSH_DOWN}"
            )
        elif name not in sinks and connector in _FILES and version == "1.12":
            found.append(
                f"{name} is read through {connector}: on Flink 1.12 datagen stands in ({PUSH_DOWN})"
            )
        if (
            before
            and after
            and connector in _KAFKA_LIKE
            and bool(before.watermark) != bool(after.watermark)
        ):
            # A changed delay keeps both shapes: only a WATERMARK added or removed matters.
            found.append(
                f"a WATERMARK was added to or removed from {connector} table {name}: {WATERMARK}"
            )
        if (
            name in sinks
            and connector in _BLACKHOLE_SINKS
            and "sink.parallelism" in tables[name].options
        ):
            found.append(f"blackhole cannot take the sink.parallelism of {name} ({PARALLELISM})")
    multi = max(len(old.inserts), len(new.inserts)) > 1
    if (
        version == "1.12"
        and multi
        and any(tables[n].connector == "kafka" for n in sinks if n in tables)
    ):
        found.append(f"a multi-INSERT job writing to Kafka on Flink 1.12: {NODE_COUNT}")
    return found
