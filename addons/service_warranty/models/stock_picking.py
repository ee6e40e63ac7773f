from collections import defaultdict

from markupsafe import Markup
from odoo import fields, models

from .service_warranty import LIVE_STATES


class StockPicking(models.Model):
    _inherit = "stock.picking"

    warranty_ids = fields.One2many("service.warranty", "picking_id", string="Certificates")
    warranty_count = fields.Integer(compute="_compute_warranty_count", string="Certificate count")

    def _compute_warranty_count(self):
        counts = dict(
            self.env["service.warranty"]._read_group(
                [("picking_id", "in", self.ids)], ["picking_id"], ["__count"]
            )
        )
        for picking in self:
            picking.warranty_count = counts.get(picking, 0)

    def _action_done(self):
        res = super()._action_done()
        self._service_warranty_issue()
        self._service_warranty_handle_returns()
        return res

    def action_view_warranties(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_warranty.service_warranty_action"
        )
        action["domain"] = [("picking_id", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    def _service_warranty_issue(self):
        """Issue a certificate for every serial of a policy-covered product
        delivered to a customer by these transfers, in one batched create.

        Serials that already have a live certificate are left alone (the unit
        was delivered before); the partial unique index on live certificates
        settles the race when two workers validate at the same time.
        Certificates are a consequence of the delivery, so they are issued
        whatever the validating user's after-sales rights.
        """
        # with_prefetch(): whatever cache the caller left, read all lines at once.
        move_lines = self.move_line_ids.with_prefetch().filtered(
            lambda ml: ml.state == "done"
            and ml.lot_id
            and ml.product_id.tracking == "serial"
            and ml.location_dest_id.usage == "customer"
            and ml.location_id.usage != "customer"
        )
        if not move_lines:
            return self.env["service.warranty"]
        policies = move_lines.product_id._get_warranty_policy()
        move_lines = move_lines.filtered(lambda ml: ml.product_id in policies)
        Warranty = self.env["service.warranty"].sudo()
        already_live = Warranty.search(
            [("lot_id", "in", move_lines.lot_id.ids), ("state", "in", LIVE_STATES)]
        ).lot_id
        vals_list = [
            vals
            for ml in move_lines
            if ml.lot_id not in already_live
            and (vals := ml._prepare_service_warranty_vals(policies[ml.product_id]))
        ]
        if not vals_list:
            return Warranty
        # No creation message per certificate: its origin and delivery fields
        # say where it comes from, and a thousand chatter messages would
        # cost more than the certificates themselves. The delivery logs one.
        warranties = Warranty.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True
        ).create(vals_list)
        issued = defaultdict(list)
        for warranty in warranties:
            issued[warranty.picking_id].append(warranty.display_name)
        pickings = self.browse([picking.id for picking in issued])
        # One note per delivery, listing its certificates (number and serial).
        pickings._message_log_batch(
            bodies={
                picking.id: Markup("%s<br/>%s") % (
                    self.env._("%(count)s warranty certificate(s) issued.", count=len(issued[picking])),
                    ", ".join(issued[picking]),
                )
                for picking in pickings
            }
        )
        return warranties

    def _service_warranty_handle_returns(self):
        """A unit sent back by the customer through a return of its delivery
        voids its live certificate when the policy says so (refunds); otherwise
        the certificate is kept and the return is noted on it. Other receipts
        from customers (a unit coming in for service) leave it alone."""
        move_lines = self.filtered("return_id").move_line_ids.with_prefetch().filtered(
            lambda ml: ml.state == "done"
            and ml.lot_id
            and ml.location_id.usage == "customer"
            and ml.location_dest_id.usage != "customer"
        )
        if not move_lines:
            return
        warranties = self.env["service.warranty"].sudo().search(
            [("lot_id", "in", move_lines.lot_id.ids), ("state", "in", LIVE_STATES)]
        )
        for picking in move_lines.picking_id:
            lots = move_lines.filtered(lambda ml, p=picking: ml.picking_id == p).lot_id
            returned = warranties.filtered(lambda w, lots=lots: w.lot_id in lots)
            voided = returned.filtered("policy_id.void_on_return")._void(
                self.env._("unit returned by transfer %(picking)s", picking=picking.name)
            )
            kept = returned - voided
            kept._message_log_batch(
                bodies={
                    warranty.id: self.env._(
                        "Unit returned by transfer %(picking)s; the certificate is kept.",
                        picking=picking.name,
                    )
                    for warranty in kept
                }
            )


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def _prepare_service_warranty_vals(self, policy):
        """Values of the certificate for the serial this line delivered, or
        an empty dict when the delivery names no customer. Integrators override
        this to add their own fields."""
        self.ensure_one()
        picking = self.picking_id
        sale_line = self.move_id.sale_line_id
        order = sale_line.order_id
        partner = order.partner_id or picking.partner_id
        if not partner:
            return {}
        date_done = self.date or picking.date_done or fields.Datetime.now()
        return {
            "lot_id": self.lot_id.id,
            "partner_id": partner.id,
            "company_id": (picking.company_id or self.company_id).id,
            "policy_id": policy.id,
            "user_id": (order.user_id or self.env.user).id,
            "sale_line_id": sale_line.id,
            "picking_id": picking.id,
            "date_sale": fields.Date.context_today(self, order.date_order) if order else False,
            "date_delivery": fields.Date.context_today(self, date_done),
            "origin": "delivery",
            "state": "active",
        }
