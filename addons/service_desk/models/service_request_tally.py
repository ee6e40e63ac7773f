from odoo import fields, models

# The requests' fields the KPI report groups by, in the order it unpacks
# them (get_kpi_summary); the tally's keys hold them in the same order.
KPI_GROUPBY = ("response_sla", "arrival_sla", "resolution_sla", "channel", "severity", "rating_last_value")


class ServiceRequestTally(models.Model):
    """The service requests counted per company, team, day (UTC) and what the
    KPI report groups them by: channel, severity, the three clocks' results
    and the last rating (``service.tally``: kept by triggers on
    ``service_request``)."""

    _name = "service.request.tally"
    _inherit = "service.tally"
    _description = "Service request tally"
    _log_access = False  # set per class: Odoo adds the log columns unless the class itself says no

    _tally_model = "service.request"
    _tally_day_field = "date_request"
    _tally_keys = (
        ("response_sla", "response_sla"),
        ("arrival_sla", "arrival_sla"),
        ("resolution_sla", "resolution_sla"),
        ("channel", "channel"),
        ("severity", "severity"),
        ("rating", "COALESCE(rating_last_value, 0)"),
    )
    _tally_fields = KPI_GROUPBY

    day = fields.Date(help="The day the requests were reported on (UTC).")
    channel = fields.Char(readonly=True)
    severity = fields.Char(readonly=True)
    response_sla = fields.Char(string="Response", readonly=True)
    arrival_sla = fields.Char(string="Arrival on site", readonly=True)
    resolution_sla = fields.Char(string="Resolution in time", readonly=True)
    rating = fields.Float(string="Last rating", readonly=True)
