from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    service_zone_id = fields.Many2one(
        "service.zone", string="Service zone",
        help="Sets the on-site arrival deadline of this customer's service requests.",
    )
    service_request_ids = fields.One2many("service.request", "partner_id", string="Service requests")
