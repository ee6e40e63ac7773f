from odoo import fields, models


class ServiceRma(models.Model):
    _inherit = "service.rma"

    service_request_id = fields.Many2one(
        "service.request", string="Service request", index="btree_not_null", check_company=True,
        readonly=True, copy=False,
        help="The service request this unit was taken in for.",
    )
