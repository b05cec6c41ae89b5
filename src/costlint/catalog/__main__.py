"""``python -m costlint.catalog --regenerate | --check`` (see ``mirror``)."""

import sys

from .mirror import main

sys.exit(main())
