"""Running the rules: the context they read, the runner, the one pipeline every command calls,
suppressions, the result cache and the worker processes."""
