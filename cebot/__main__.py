import sys

from cebot.cli import main

sys.exit(main())
