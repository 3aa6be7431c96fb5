"""Serve the project with Datasette on one port (make serve).

The code is ots_data/serving.py; `--help` lists the options."""

import sys

from ots_data.serving import main

if __name__ == "__main__":
    sys.exit(main())
