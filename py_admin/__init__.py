"""Tutela admin layer: embedded PostgreSQL, migrations, pgTAP runner, lint and build tools.

This package's ``__init__`` imports nothing outside the standard library, so that
``python3 -m py_admin.sysdeps`` can run before the virtual environment exists.
"""

__version__ = "0.2.0"
