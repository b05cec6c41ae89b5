"""costlint: a static prompt-cost linter and CI check for code that calls the Claude API."""

__version__ = "0.1.0"
