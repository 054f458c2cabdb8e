#!/usr/bin/env python
"""Django's command-line utility; the same as the `coachdossier` console script."""
from coachdossier.__main__ import main

if __name__ == "__main__":
    main()
