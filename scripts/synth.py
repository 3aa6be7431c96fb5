"""Write a synthetic project at scale for benchmarks (the code is in ots_data/synth.py)."""

import sys

from ots_data.synth import main

if __name__ == "__main__":
    sys.exit(main())
