"""Write the static mirror of the site into build/mirror/ (make mirror).

The code is ots_data/mirror.py; `--help` lists the options."""

import sys

from ots_data.mirror import main

if __name__ == "__main__":
    sys.exit(main())
