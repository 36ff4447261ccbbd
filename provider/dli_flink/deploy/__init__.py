"""Deploying with Pulumi: the dynamic resources and their typed args, the provider, the lifecycle
(steps on one operation context), status waits, observed state and DliApi over the official SDK."""
