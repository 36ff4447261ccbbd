"""dli-flink: Huawei Cloud DLI Flink jobs as code.

Importing the package stays light (no pulumi, grpc or Huawei SDK): the validator runs on every commit.
The Pulumi resources are loaded on first access (`from dli_flink import FlinkSqlJob`), not before.
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["FlinkJarJob", "FlinkSqlJob", "load_jobs"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from dli_flink.deploy import resources

        return getattr(resources, name)
    raise AttributeError(f"module 'dli_flink' has no attribute {name!r}")
