"""Step 2: validate, then build the SQLite database (build/ots.db).

The code is ots_data/build.py; `--help` lists the options."""

import sys

from ots_data.build import main

if __name__ == "__main__":
    sys.exit(main())
