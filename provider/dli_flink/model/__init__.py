"""The job model: the JobSpec, its YAML source with positions, the schema, the field table,
findings and the change planner. Nothing here imports pulumi, grpc, ruamel or the Huawei SDK."""
