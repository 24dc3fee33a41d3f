"""Everything that talks to AWS. Imported only by `check --online`, `deploy` and `status`."""
