"""`pulumi-analyzer-policy-dli-flink`: the program the Pulumi engine starts for the policy pack.

`policies/PulumiPolicy.yaml` says `runtime: dli-flink`. No language host has that name, so the
engine starts the analyzer plugin `pulumi-analyzer-policy-dli-flink` it finds on `PATH` (this
package's script), in the pack's folder, and talks to it directly (pulumi/pulumi
pkg/resource/plugin/analyzer_plugin.go `NewPolicyAnalyzer`, "the old way of running analyzer
plugins", which pulumi-policy-opa uses; the plugin is looked up on `PATH` by
sdk/go/common/workspace/plugins.go `getPluginInfoAndPath`).

Why not `runtime: python`: the engine then starts the pack through the Python language host, whose
PolicyProxy stands between the engine and the pack and forwards every call
(sdk/python/cmd/pulumi-language-python/main.go `RunPlugin`, sdk/policy_proxy.go). The engine waits
for each call inside step generation, so that hop adds to every preview: on 1,000 jobs the pack
took 0.74x of the provider's own preview behind the proxy and 0.54x without it, and a pack doing
nothing 0.57x and 0.44x (bench/policy_bench.py, the engine's calls from Go).

The arguments are the engine's: its logging flags when it passes its own on (`--logtostderr`,
`-v=N`, `--tracing URL`: pkg/resource/plugin/plugin.go `buildPluginArguments`), its address, the
pack's folder (`.`) and the runtime's options from PulumiPolicy.yaml. The pack uses none of them:
it answers calls and never calls the engine, and its settings come through Configure. Its
ConfigureStack gets the stack's name and configuration, which the engine also puts in the plugin's
environment (PULUMI_CONFIG, PULUMI_PROJECT, PULUMI_STACK, PULUMI_DRY_RUN: analyzer_plugin.go
`constructEnv`); no policy here reads them. The engine stops the plugin after every command with
SIGINT to its process group (plugin.go `ExecPlugin`), which the server takes quietly (`serve`).

This module imports nothing beyond the standard library until the pack is served, so that an
installation without the `pulumi` extra gets a line saying what to install, not a traceback.
"""

from __future__ import annotations

import sys

USAGE = (
    "usage: pulumi-analyzer-policy-dli-flink [ENGINE-FLAGS] ENGINE-ADDRESS PACK-FOLDER\n"
    "Pulumi starts this for `pulumi preview --policy-pack <dli-flink>/policies`; it serves the "
    "pack over gRPC and prints its port. There is nothing to run by hand."
)


def main() -> None:
    if {"-h", "--help"} & set(sys.argv[1:]):  # the engine passes neither (buildPluginArguments)
        print(USAGE)
        return
    try:
        from dli_flink.policy_server import serve
    except ModuleNotFoundError as error:  # an extra not installed; our own bugs stay loud
        sys.exit(
            f"pulumi-analyzer-policy-dli-flink: the policy pack needs {error.name}: "
            "pip install 'dli-flink[pulumi]' into the environment whose scripts are on PATH"
        )
    serve()
