"""Built-in checks: one module per rule, each defining ``check(site, ctx)``."""
