"""What the product decides, and the one way to change it.

A verdict, a certificate's dates and owner, a state: callers never write these
fields, whatever the door they come through (a form, JSON-RPC, an import). The
actions that decide them run their writes inside :func:`deciding`, after their
own checks (state, rights, reason); every other write of such a field is
refused by :meth:`ServiceDecidedMixin._check_decided`.

Why a context variable and not a context key or ``sudo()``: a context key can
be sent by any RPC caller, and ``sudo()`` would also lift the record rules and
access rights of everything else the action writes. The variable lives only in
the server's own call stack, for the duration of the ``with`` block; nothing
outside the process can set it, and nothing outlives the request.

Server code that runs as the superuser (crons, ``sudo()`` in an integrator's
own module) is trusted as Odoo trusts it, and is not refused.
"""

import contextvars
from contextlib import contextmanager

_DECIDING = contextvars.ContextVar("aftersales_deciding", default=False)


@contextmanager
def deciding():
    """The block's writes are the product's own decisions."""
    token = _DECIDING.set(True)
    try:
        yield
    finally:
        _DECIDING.reset(token)


def is_deciding():
    return _DECIDING.get()


def states_sql(states):
    """``states`` (our own constants, never input) as the SQL list a partial
    index's WHERE reads, so the index and the code share one constant."""
    return ", ".join(f"'{state}'" for state in states)
