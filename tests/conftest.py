import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# The cache MAC key (see costlint.cachetrust) lives in a directory of the test session, never
# in the user's own cache directory; subprocesses inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="costlint-test-cache-")
os.environ.pop("COSTLINT_CACHE_KEY", None)
