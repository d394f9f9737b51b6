import sys

from snnlib.cli import main

sys.exit(main())
