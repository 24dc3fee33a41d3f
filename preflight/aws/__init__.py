"""Everything that talks to AWS. Only the constants below are imported by the lint path; the rest
is imported by `check --online`, `deploy` and `status`."""

# What the online pre-flight found out about the caller's organization (AwsFacts.organization).
ORGANIZATION_PRESENT = "present"
ORGANIZATION_NONE = "none"
