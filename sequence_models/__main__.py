"""``python -m sequence_models``: the command-line interface."""

import sys

from sequence_models.cli import main

sys.exit(main())
