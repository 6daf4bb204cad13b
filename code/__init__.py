"""HJLNet: forward and backward propagation from scratch, in NumPy.

The package keeps the article's name, ``code``, which is also the name of a
standard-library module (``code.InteractiveConsole``, used by ``pdb``).  When
the repository root is on ``sys.path`` (``python demo.py``, ``python -m
pytest``) this package hides that module, and on Python 3.13 ``import pdb``
then fails.  So the package also offers the standard module's public names:
we load the standard ``code.py`` under another name and copy them here.
"""

import importlib.util
import os
import sysconfig


def _load_stdlib_code() -> dict:
    """Return the public names of the standard library's ``code`` module."""
    path = os.path.join(sysconfig.get_path("stdlib"), "code.py")
    spec = importlib.util.spec_from_file_location("_stdlib_code", path)
    if spec is None or not os.path.exists(path):
        return {}
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in module.__all__}


globals().update(_load_stdlib_code())
