"""Step 1: validate every CSV of the data package. The code is ots_data/validate.py; `--help` lists the options."""

import sys

from ots_data.validate import main

if __name__ == "__main__":
    sys.exit(main())
