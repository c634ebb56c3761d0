"""`python -m services.credentials rotate-key [--new-key-stdin]`: re-encrypt every stored token."""

import sys

from services.access import key_rotation

if sys.argv[1:2] != ["rotate-key"]:
    sys.exit("usage: python -m services.credentials rotate-key [--new-key-stdin]")
sys.exit(key_rotation.main(sys.argv[2:]))
