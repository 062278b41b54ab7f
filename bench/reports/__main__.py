"""`python -m bench.reports`: the reports benchmark from the command line."""

import sys

from bench.reports.measure import main

sys.exit(main())
