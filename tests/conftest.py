"""Make ``import code`` find this project's package, whichever way pytest was started.

``python -m pytest`` puts the repo root on sys.path itself.  Plain ``pytest`` does
not, and may already have imported the standard library's ``code`` module (pdb
uses it); our package offers the same names (see code/__init__.py), so it can
take that module's place.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
loaded = sys.modules.get("code")
if loaded is not None and os.path.dirname(os.path.dirname(getattr(loaded, "__file__", "") or "")) != ROOT:
    del sys.modules["code"]
