from odoo import fields, models

# A repair done, as the shop turnaround counts it (service.rma.turnaround_hours).
REPAIRED = "state = 'done' AND date_received IS NOT NULL"


class ServiceRmaTally(models.Model):
    """The RMAs counted per company, team, day of intake (UTC), last rating
    and whether their repair is done, with the hours of their shop
    turnaround (``service.tally``: kept by triggers on ``service_rma``).
    The report reads it back as ``(rating, repaired, count, hours, timed)``
    rows."""

    _name = "service.rma.tally"
    _inherit = "service.tally"
    _description = "RMA tally"
    _log_access = False  # set per class: Odoo adds the log columns unless the class itself says no

    _tally_model = "service.rma"
    _tally_day_field = "date_intake"
    _tally_keys = (
        ("rating", "COALESCE(rating_last_value, 0)"),
        ("repaired", f"COALESCE({REPAIRED}, FALSE)"),
    )
    _tally_sums = (
        ("turnaround_hours", "COALESCE(turnaround_hours, 0)"),
        ("timed", "(turnaround_hours IS NOT NULL)::int"),
    )
    _tally_fields = ("rating_last_value", "state", "date_received", "turnaround_hours")

    day = fields.Date(help="The day the units were taken in on (UTC).")
    rating = fields.Float(string="Last rating", readonly=True)
    repaired = fields.Boolean(readonly=True, help="The repair is done (the unit was received and returned).")
    turnaround_hours = fields.Float(string="Change of the turnaround hours", readonly=True)
    timed = fields.Integer(string="Change of the turnarounds measured", readonly=True)
