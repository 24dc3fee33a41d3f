"""The command line: one module per command, each a function of a typed options object."""
