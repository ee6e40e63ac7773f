"""19.0.1.1.0: the support calendar moves from service_desk to the policy here,
so the RMA's deadlines run on it too.

The column ``service_warranty_policy.support_calendar_id`` keeps its name and
its values. The two calendars shipped as data ("7x24", "Working days
08:30-17:30") keep their records: their XML ids move from ``service_desk`` to
``service_warranty`` before this module loads its data, so nothing is created
twice and every policy keeps the calendar it points at.
"""

from odoo.tools import SQL

CALENDAR_XMLIDS = ("resource_calendar_7x24", "resource_calendar_working_days")


def migrate(cr, version):
    if not version:
        return
    cr.execute(SQL(
        """UPDATE ir_model_data SET module = 'service_warranty'
            WHERE module = 'service_desk' AND model = 'resource.calendar' AND name IN %s
              AND NOT EXISTS (
                  SELECT 1 FROM ir_model_data other
                   WHERE other.module = 'service_warranty' AND other.name = ir_model_data.name
              )""",
        CALENDAR_XMLIDS,
    ))
