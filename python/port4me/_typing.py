"""``TYPE_CHECKING`` for the package's modules, without importing ``typing``.

``typing`` would cost the command about 3 ms of its start-up (``python -X importtime -c
"import typing"``), more than the rest of what ``--list`` imports. Type checkers (mypy,
pyright) read any name ``TYPE_CHECKING`` as ``typing.TYPE_CHECKING``, so an ``if
TYPE_CHECKING:`` block imports what the annotations need for them alone; with ``from
__future__ import annotations`` no annotation is evaluated at run time.
"""

TYPE_CHECKING = False
