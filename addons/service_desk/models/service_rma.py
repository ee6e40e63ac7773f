from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


class ServiceRma(models.Model):
    _name = "service.rma"
    # rating.mixin first: it extends mail.thread, which service.rma already has.
    _inherit = ["rating.mixin", "service.rma"]

    service_request_id = fields.Many2one(
        "service.request", string="Service request", index="btree_not_null", check_company=True,
        readonly=True, copy=False,
        help="The service request this unit was taken in for.",
    )
    team_id = fields.Many2one(
        related="service_request_id.team_id", store=True, precompute=True, index="btree_not_null",
        string="Service team",
    )
    turnaround_hours = fields.Float(
        string="Shop turnaround (h)", compute="_compute_turnaround_hours", store=True, precompute=True,
        aggregator="avg",
        help="Hours from the unit's receipt in the shop to the RMA done; empty until then.",
    )
    is_repeat_repair = fields.Boolean(
        string="Repeat repair", compute="_compute_is_repeat_repair", search="_search_is_repeat_repair",
        help="The unit has come back to the shop: it has more than one RMA.",
    )
    # Computed into the RMA's INSERT (a new RMA has no rating): the shop's scan
    # keeps its one INSERT and no UPDATE after it.
    rating_last_value = fields.Float(compute="_compute_rating_last_value", store=True, precompute=True)

    @api.depends("date_received", "date_returned", "state")
    def _compute_turnaround_hours(self):
        for rma in self:
            done = rma.state == "done" and rma.date_received and rma.date_returned
            rma.turnaround_hours = (
                (rma.date_returned - rma.date_received).total_seconds() / 3600 if done else 0.0
            )

    def _repeat_lots(self, domain=()):
        """The units with two RMAs or more among ``domain``: one grouped read."""
        groups = self.env["service.rma"]._read_group(
            Domain(domain) & Domain("lot_id", "!=", False), ["lot_id"], having=[("__count", ">=", 2)],
        )
        return self.env["stock.lot"].browse([lot.id for lot, in groups])

    @api.depends("lot_id")
    def _compute_is_repeat_repair(self):
        repeat = self._repeat_lots([("lot_id", "in", self.lot_id.ids)])
        for rma in self:
            rma.is_repeat_repair = bool(rma.lot_id) and rma.lot_id in repeat

    def _search_is_repeat_repair(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on repeat repairs."))
        repeat = Domain("lot_id", "in", self._repeat_lots().ids)
        return repeat if (operator == "=") == value else ~repeat

    def write(self, vals):
        # Every way an RMA ends (the return validated, an exchange, a refund)
        # writes state "done"; the survey follows the transition, once.
        closing = self.browse()
        if vals.get("state") == "done":
            closing = self.filtered(lambda rma: rma.state != "done")
        result = super().write(vals)
        closing._send_rating_request()
        return result

    def _send_rating_request(self):
        """Done: the customer gets the satisfaction survey (回访) by e-mail, in
        their language, as for a closed service request."""
        template = self.env.ref("service_desk.mail_template_service_rma_rating", raise_if_not_found=False)
        if not template:
            return
        for rma in self.filtered(lambda rma: rma._rating_get_partner().email):
            rma.sudo().rating_send_request(template, force_send=False)
