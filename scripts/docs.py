"""Step 4: build the documentation site (site/). The code is ots_data/docs.py; `--help` lists the options."""

import sys

from ots_data.docs import main

if __name__ == "__main__":
    sys.exit(main())
