from odoo import fields, models


class ServiceWarrantyPolicy(models.Model):
    _inherit = "service.warranty.policy"

    support_calendar_id = fields.Many2one(
        "resource.calendar", string="Support hours",
        help="The hours the response and resolution clocks of service requests run on "
        "(7x24, or 08:30-17:30 on working days), read in the company's time zone; public "
        "holidays set on the calendar do not count. Empty: round the clock.",
    )
