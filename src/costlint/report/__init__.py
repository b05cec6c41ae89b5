"""Output formats: one module per format, each rendering a RunResult to text."""
