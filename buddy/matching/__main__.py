"""``python -m buddy.matching INSTANCE.json [-o RESULT.json] [--quiet]``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
