"""Step 5: write a versioned release (dist/<version>/). The code is ots_data/release.py; `--help` lists the options."""

import sys

from ots_data.release import main

if __name__ == "__main__":
    sys.exit(main())
