"""The team's Flink jobs as a Pulumi stack: every job document under ../jobs becomes a resource.

pulumi config set dli-flink:region cn-north-4
pulumi config set dli-flink:projectId <project id>
pulumi config set --secret dli-flink:accessKey <AK>
pulumi config set --secret dli-flink:secretKey <SK>
pulumi up
"""

from pathlib import Path

import pulumi
from dli_flink import load_jobs

jobs = load_jobs(Path(__file__).resolve().parent.parent / "jobs")
for name, job in jobs.items():
    pulumi.export(name, {"jobId": job.jobId, "status": job.status, "currentCu": job.currentCu})
