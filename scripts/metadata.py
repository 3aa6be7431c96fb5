"""Step 3: write Datasette's metadata (build/metadata.json).

The code is ots_data/metadata.py; `--help` lists the options."""

import sys

from ots_data.metadata import main

if __name__ == "__main__":
    sys.exit(main())
