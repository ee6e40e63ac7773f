from odoo.tools import SQL

from . import controllers, models, wizards


def uninstall_hook(env):
    """What PostgreSQL keeps of the add-on beyond its tables: the function
    the requests' triggers call (the triggers go with service_request)."""
    env.cr.execute(SQL("DROP FUNCTION IF EXISTS service_request_tally() CASCADE"))
