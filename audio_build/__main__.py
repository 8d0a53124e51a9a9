"""`python -m audio_build check|list|build`."""

import sys

from .cli import main

sys.exit(main())
