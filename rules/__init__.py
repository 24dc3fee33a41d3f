"""The built-in rules, one module per family. Installed as `preflight.rules`; never `import rules`."""
