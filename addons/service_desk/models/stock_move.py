from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    service_visit_id = fields.Many2one(
        "service.visit", string="Service visit", index="btree_not_null", readonly=True, copy=False,
    )
    service_visit_part_id = fields.Many2one(
        "service.visit.part", string="Visit part", index="btree_not_null", readonly=True, copy=False,
    )
