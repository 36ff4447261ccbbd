"""A local DLI: the Flink job API of Huawei Cloud DLI, strict enough that a client skipping a step fails.

Split like a moto service: `models` (jobs, queues, savepoints, the status machine and its clock, faults;
no HTTP), `errors` (one exception per DLI error code), `store` (SQLite in the data dir), `urls` (DLI's
routes), `responses`/`gateway`/`signing`/`admin` (the thin HTTP layer: the gateway's body limit and
signature check, DLI's answers, the admin API) and `server` (a threaded werkzeug server, in-process or
as `dli-flink emulator`).
"""
