"""`python -m services.poller`: poll every number's health until stopped."""

import sys

from services.poller.loop import main

sys.exit(main())
