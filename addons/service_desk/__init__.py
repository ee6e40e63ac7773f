from odoo.tools import SQL

from . import controllers, models, wizards


def uninstall_hook(env):
    """What PostgreSQL keeps of the add-on beyond its tables: the functions
    the requests' and RMAs' triggers call (the requests' triggers go with
    service_request; the RMAs' with the function, CASCADE, as service_rma
    stays)."""
    for function in ("service_request_tally", "service_rma_tally"):
        env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", SQL.identifier(function)))
