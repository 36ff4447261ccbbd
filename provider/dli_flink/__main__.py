"""`python -m dli_flink` is the `dli-flink` command."""

import sys

from dli_flink.cli import main

sys.exit(main())
