"""Other tools: cfn-lint (--cfn-lint) and the language server protocol (preflight lsp)."""
