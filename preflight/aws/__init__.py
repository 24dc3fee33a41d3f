"""Everything that calls AWS (boto3): sessions and errors, the online pre-flight's read-only calls,
templates in S3, the put, and following a rollout. Nothing else in preflight imports boto3."""
