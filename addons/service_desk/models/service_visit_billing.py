from odoo import api, fields, models
from odoo.addons.service_rma import costing
from odoo.addons.service_warranty.decisions import deciding
from odoo.addons.service_warranty.rules import Facts, coverage, warranty_period
from odoo.exceptions import UserError

# Written only by finishing the visit.
DECIDED_BILLING_FIELDS = ("sale_order_id",)


class ServiceVisit(models.Model):
    """An on-site visit after the warranty is billed at cost, as a shop
    repair is: parts at their valuation cost, labour at the cost rate, plus
    the policy's visit fee, quoted when the visit is finished and billed by
    finance through the same ``bill_at_cost`` run (``service.billing.mixin``),
    never twice.

    Whether it is billed is the warranty's verdict on the visit's day, the
    rule the RMA applies: a unit the warranty covers is serviced free; a unit
    out of warranty (or with no certificate) is billed as its policy's
    post-warranty mode says, at cost only when the policy says "at cost". A
    visit with no unit (a request about a whole installed system) has no
    certificate either: the request's policy (its product's or its team's)
    decides by the same no-certificate rule, and with no policy at all
    nothing is billed."""

    _name = "service.visit"
    _inherit = ["service.visit", "service.billing.mixin"]
    _billing_line_field = "service_visit_id"
    _billing_key = "visit"

    labour_hours = fields.Float(
        string="Labour (hours)",
        tracking=True,
        help="Hours of work on site. A visit after the warranty bills them at the labour cost rate.",
    )
    covered = fields.Boolean(
        string="Covered by the warranty",
        compute="_compute_coverage",
        store=True,
        compute_sudo=True,
        help="The unit's warranty covers it on the day of the visit: the visit is free.",
    )
    service_at_cost = fields.Boolean(
        string="Billed at cost",
        compute="_compute_coverage",
        store=True,
        compute_sudo=True,
        help="Not covered, and the policy bills service after the warranty at cost: the visit is quoted at "
        "cost when it is finished, with the visit fee, and finance bills it.",
    )
    product_id = fields.Many2one(related="lot_id.product_id", string="Product")
    sale_order_id = fields.Many2one(
        "sale.order", string="Quotation", readonly=True, copy=False, index="btree_not_null",
        check_company=True,
    )
    bill_line_ids = fields.One2many(
        "account.move.line", "service_visit_id", string="Bill lines", readonly=True
    )

    @api.depends(
        "lot_id.warranty_id.state", "lot_id.warranty_id.date_end", "request_id.policy_id.post_warranty_mode",
        "date_arrived", "date_planned",
    )
    def _compute_coverage(self):
        for visit in self:
            moment = visit.date_arrived or visit.date_planned or fields.Datetime.now()
            day = fields.Date.context_today(visit, moment)
            if visit.lot_id:
                verdict = visit.lot_id.get_service_coverage(day)
                covered, remedy = verdict["covered"], verdict["remedy"]
            elif policy := visit.request_id.policy_id:
                terms = policy._get_terms()
                verdict = coverage(terms, warranty_period(terms, Facts()), day, state="missing")
                covered, remedy = verdict.covered, verdict.remedy
            else:
                covered, remedy = False, "none"
            visit.covered = covered
            visit.service_at_cost = not covered and remedy == "repair_at_cost"

    @api.depends("state", "covered", "service_at_cost")
    def _compute_billing_state(self):
        return super()._compute_billing_state()

    def _billing_state_unbilled(self):
        self.ensure_one()
        if self.covered or not self.service_at_cost or self.state == "cancel":
            return "none"
        if self.state != "done":
            return "pending"
        if self.sale_order_id.state == "sale":
            return "ready"
        return "none"

    def _decided_fields(self):
        hints = super()._decided_fields()
        hints.update(dict.fromkeys(
            DECIDED_BILLING_FIELDS, self.env._("Finishing the visit quotes it at cost when it is billable."),
        ))
        if any(visit.state in ("done", "cancel") for visit in self):
            hints["labour_hours"] = self.env._("A finished visit's report is fixed: plan another visit.")
        return hints

    def _decided_create_fields(self):
        allowed = super()._decided_create_fields()
        allowed.update(dict.fromkeys(DECIDED_BILLING_FIELDS))
        return allowed

    # -- lifecycle ------------------------------------------------------------

    def action_finish(self):
        """Finished after the warranty: quoted at cost, the quotation
        confirmed, ready for finance's billing run."""
        res = super().action_finish()
        at_cost = self.filtered(lambda visit: visit.service_at_cost and not visit.covered)
        at_cost.sudo()._service_quote_at_cost()
        return res

    # -- at-cost quotation ------------------------------------------------------

    def _service_quote_at_cost(self):
        """One confirmed at-cost quotation per visit; none when its terms make
        every component free. Its part lines are linked to the parts' stock
        moves, so confirming it delivers nothing again."""
        quoted = self.browse()
        for visit in self.filtered(lambda v: not v.sale_order_id):
            terms = visit._service_cost_terms()
            if not any(terms.values()):
                continue
            order = self.env["sale.order"].create(visit._prepare_at_cost_order_vals())
            visit._service_add_cost_lines(order, terms)
            with deciding():
                visit.sale_order_id = order
            quoted |= visit
        quoted.sale_order_id.action_confirm()

    def _prepare_at_cost_order_vals(self):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "origin": self.name,
            "client_order_ref": self.request_id.name or False,
        }

    def _service_add_cost_lines(self, order, terms):
        self.ensure_one()
        policy = self.request_id.policy_id or self.lot_id.warranty_id.policy_id
        rate = costing.labour_rate(self.company_id.service_labour_cost_rate, policy.labour_cost_rate)
        parts = {part.id: part for part in self.part_ids}
        cost_lines = costing.charged_lines(
            costing.at_cost_lines(
                [self._service_part(part) for part in self.part_ids], self.labour_hours, rate,
                policy.visit_fee, on_site=True,
            ),
            **terms,
        )
        products = {
            "labour": self.env.ref("service_rma.product_labour_at_cost"),
            "visit": self.env.ref("service_rma.product_visit_at_cost"),
        }
        lines = self.env["sale.order.line"].create([
            {
                "order_id": order.id,
                "product_id": (parts[cost.key].product_id if cost.kind == "part" else products[cost.kind]).id,
                "product_uom_qty": cost.quantity,
                "service_visit_id": self.id,
                "service_cost_kind": cost.kind,
            }
            for cost in cost_lines
        ])
        for sale_line, cost in zip(lines, cost_lines, strict=True):
            sale_line.write(self._service_line_vals(sale_line, cost))
            if cost.kind == "part":
                part_moves = self.move_ids.filtered(lambda m, k=cost.key: m.service_visit_part_id.id == k)
                part_moves.sale_line_id = sale_line

    def _service_part(self, part):
        """A part used on the visit, valued as stock valuation recorded its
        move to the customer (else at its cost price)."""
        moves = self.move_ids.filtered(lambda m: m.service_visit_part_id == part and m.state == "done")
        product = part.product_id
        valued_amount = valued_quantity = 0.0
        if moves and all(move.value for move in moves):
            valued_amount = sum(moves.mapped("value"))
            valued_quantity = sum(m.product_uom._compute_quantity(m.quantity, product.uom_id) for m in moves)
        return costing.Part(
            key=part.id,
            quantity=part.quantity,
            standard_price=product.with_company(self.company_id).standard_price,
            valued_amount=valued_amount,
            valued_quantity=valued_quantity,
        )

    def _service_line_vals(self, sale_line, cost):
        env = self.with_context(lang=sale_line.order_id.partner_id.lang).env
        names = {
            "part": env._("%(visit)s · Part at cost", visit=self.name),
            "labour": env._(
                "%(visit)s · Labour at cost (%(hours)s h)", visit=self.name, hours=round(cost.quantity, 2)
            ),
            "visit": env._("%(visit)s · On-site visit fee, at cost", visit=self.name),
        }
        return {
            "price_unit": self._service_cost_price(sale_line, cost.unit_cost),
            "discount": 0.0,
            "name": names[cost.kind],
        }

    # -- billing ------------------------------------------------------------

    def _billing_document_refusal(self):
        self.ensure_one()
        if self.covered:
            return self.env._("covered by the warranty: the visit is free")
        if not self.service_at_cost:
            return self.env._("its policy does not bill service after the warranty at cost")
        if self.billing_state == "zero":
            return self.env._(
                "its at-cost total is 0: check the parts and labour hours recorded on %(visit)s",
                visit=self.name,
            )
        if self.billing_state != "to_bill":
            return self.env._("the visit is not finished or has no confirmed at-cost quotation")
        return False


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    service_visit_id = fields.Many2one(
        "service.visit", string="Visit", index="btree_not_null", readonly=True, copy=False
    )

    def _prepare_invoice_line(self, **optional_values):
        vals = super()._prepare_invoice_line(**optional_values)
        if self.service_visit_id:
            vals["service_visit_id"] = self.service_visit_id.id
        return vals


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    service_visit_id = fields.Many2one(
        "service.visit",
        string="Visit",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The on-site visit after the warranty that this line bills.",
    )


class AccountMove(models.Model):
    _inherit = "account.move"

    def button_draft(self):
        # As for the RMAs: re-opening a cancelled bill must not bill twice a
        # visit that was billed again meanwhile.
        visits = self.filtered(lambda move: move.state == "cancel").line_ids.service_visit_id
        visits.sudo()._lock_for_billing()
        billed = visits.sudo().filtered("bill_id")
        if billed:
            raise UserError(
                self.env._(
                    "%(visits)s were billed again after this invoice was cancelled (%(bills)s): "
                    "it cannot be reset to draft.",
                    visits=", ".join(billed.mapped("name")),
                    bills=", ".join(billed.bill_id.mapped("display_name")),
                )
            )
        return super().button_draft()
