"""Rehearsing a change on real Apache Flink before the deploy: does the new version restore?

Layout: `changes` (which jobs a git change restarts), `jobs` (what of a job Flink sees),
`rehearsal` (one rehearsal and its verdict), `standins` and `sql` (connectors that cannot run here,
replaced), `semantics` (warnings the engine cannot give), `runner` (the JVM and Flink's REST API,
`java/Runner.java`), `install` (Flink's jars from PyPI and the compiled runner, cached per user),
`report` (text, markdown, JSON). Nothing here is imported by validate or the Pulumi provider.
"""
