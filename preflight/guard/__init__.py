"""Guard policies read by cfn-guard-rs in a child process: the supervisor that starts it, and the worker
that runs in it."""
