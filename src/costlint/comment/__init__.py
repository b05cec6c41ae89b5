"""Post costlint's Markdown on a pull request (GitHub) or merge request (GitLab), once.

``update`` (the default) finds costlint's earlier comment by ``MARKER`` and edits it, so a
pull request carries one comment that follows the code; ``new`` always adds one. Nothing here
imports the rest of costlint: it takes a body and talks HTTP (the standard library's urllib).
"""

from .marker import MARKER, with_marker

__all__ = ["MARKER", "with_marker"]
