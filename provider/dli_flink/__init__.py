"""dli-flink: Huawei Cloud DLI Flink jobs as code.

Importing the package stays light (no pulumi, grpc or Huawei SDK): the validator runs on every commit.
"""

__version__ = "0.1.0"
