"""What the Pulumi engine runs (`python -m pulumi.policy <engine> policies/`): serve the pack.

The policies live in dli_flink.policy so that tests use them without a server, and the server in
dli_flink.policy_server (pulumi_policy's, converting each resource once); this file starts it,
prints its port and blocks.
"""

from dli_flink.policy_server import serve

serve()
