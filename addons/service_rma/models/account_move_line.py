from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    service_rma_id = fields.Many2one(
        "service.rma",
        string="RMA",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The RMA whose post-warranty repair this line bills.",
    )
