"""What a pack means: template views, intrinsic functions, config rules, the managed-rule catalog,
resource schemas, patterns and suggestions."""
