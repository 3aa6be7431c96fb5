"""Serve it as published: nginx in front of Datasette replicas (make serve-prod).

The code is ots_data/serve_prod.py; `--help` lists the options."""

import sys

from ots_data.serve_prod import main

if __name__ == "__main__":
    sys.exit(main())
