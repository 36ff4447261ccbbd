"""What the Pulumi engine runs (`python -m pulumi.policy <engine> policies/`): serve the pack.

The policies live in dli_flink.policy so that tests use them without a server; this file only
builds the PolicyPack, which starts the gRPC server, prints its port and blocks.
"""

from dli_flink.policy import PACK_NAME, policies
from pulumi_policy import PolicyPack

PolicyPack(name=PACK_NAME, policies=policies())
