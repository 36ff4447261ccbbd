"""What the Python language host runs for the published pack (`python -m pulumi.policy <engine>
<pack>`): the policies of the dli_flink package requirements.txt installs, on its server."""

from dli_flink.policy_server import serve

serve()
