"""`python -m services.users add|remove|list`: the command line operators script for local accounts.

The accounts themselves live in `services.access.users`; this module only keeps the documented name.
"""

import sys

from services.access.users import main

if __name__ == "__main__":
    sys.exit(main())
