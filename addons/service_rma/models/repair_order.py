from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import is_deciding
from odoo.exceptions import AccessError, UserError

from .. import costing


class RepairOrder(models.Model):
    _inherit = "repair.order"

    rma_id = fields.Many2one(
        "service.rma", string="RMA", index="btree_not_null", readonly=True, check_company=True, copy=False
    )
    labour_hours = fields.Float(
        string="Labour (hours)",
        tracking=True,
        help="Hours of work on the unit. A post-warranty repair billed at cost bills them "
        "at the labour cost rate.",
    )
    service_at_cost = fields.Boolean(
        string="Billed at cost",
        compute="_compute_service_at_cost",
        help="The unit's warranty does not cover this repair and its policy bills repairs after the "
        "warranty at cost: its quotation is priced at cost, with no margin.",
    )

    @api.depends("rma_id.remedy")
    def _compute_service_at_cost(self):
        for repair in self:
            repair.service_at_cost = repair.rma_id.remedy == "repair_at_cost"

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("rma_id") for vals in vals_list) and not (self.env.su or is_deciding()):
            raise AccessError(self.env._("A repair of an RMA is started from the RMA (Start repair)."))
        return super().create(vals_list)

    def write(self, vals):
        if {"rma_id", "under_warranty"} & set(vals) and not (self.env.su or is_deciding()):
            if "rma_id" in vals or self.filtered("rma_id"):
                raise AccessError(self.env._(
                    "The RMA of a repair and whether it is under warranty follow the RMA's verdict: "
                    "ask an administrator to override the verdict on the RMA."
                ))
        res = super().write(vals)
        if "labour_hours" in vals:
            self.filtered("rma_id")._service_price_quotation()
        return res

    def action_create_sale_order(self):
        # Odoo's method reads the company and customer of ``self`` as if it
        # were one repair; one call per repair keeps it right for a selection.
        if len(self) > 1:
            for repair in self:
                repair.action_create_sale_order()
            return self.action_view_sale_order()
        if not self.rma_id:
            return super().action_create_sale_order()
        # An RMA repair's quotation is the system's document (priced by rule:
        # at cost or free), so the repair shop makes it without sales rights.
        self.check_access("write")
        res = super(RepairOrder, self.sudo()).action_create_sale_order()
        self._service_price_quotation()
        return res

    def action_repair_done(self):
        # Odoo cancels the part lines it could not consume; on an RMA's repair
        # that would drop a part from the customer's bill (or the warranty's
        # cost) without a word. Say so before anything is done.
        self.filtered("rma_id")._service_check_parts_consumable()
        res = super().action_repair_done()
        self.rma_id.sudo()._on_repair_done()
        self.filtered("service_at_cost").sudo()._service_finalize_quotation()
        return res

    def _service_check_parts_consumable(self):
        short = [
            (repair, move)
            for repair in self
            for move in repair.move_ids.filtered(
                lambda m: m.repair_line_type == "add" and m.state != "cancel"
            )
            if move.product_uom.compare(move.quantity, move.product_uom_qty) < 0
        ]
        if short:
            raise UserError(self.env._(
                "These parts cannot be consumed, so the repair cannot end: %(parts)s. "
                "Put them in stock there (or choose another source location on the repair), "
                "or set the quantity actually used.",
                parts="; ".join(
                    self.env._(
                        "%(repair)s: %(part)s, %(used)s of %(needed)s %(uom)s available in %(location)s",
                        repair=repair.name, part=move.product_id.display_name, used=move.quantity,
                        needed=move.product_uom_qty, uom=move.product_uom.name,
                        location=move.location_id.display_name,
                    )
                    for repair, move in short
                ),
            ))

    def _update_sale_order_line_price(self):
        res = super()._update_sale_order_line_price()
        self.filtered("rma_id")._service_price_quotation()
        return res

    # -- at-cost quotation -------------------------------------------------

    def _service_finalize_quotation(self):
        """A finished at-cost repair: its quotation, made now if the shop made
        none, is priced from what the parts were valued at and confirmed, ready
        for finance to bill."""
        for repair in self.filtered(lambda r: not r.sale_order_id):
            repair.action_create_sale_order()
        self._service_price_quotation()
        self.sale_order_id.filtered(lambda order: order.state in ("draft", "sent")).action_confirm()

    def _service_price_quotation(self):
        """Price the quotation of each RMA repair: at cost when the verdict is a
        repair at cost; otherwise the at-cost labour and visit lines go, and
        the parts are free under warranty or at the pricelist's price."""
        for repair in self:
            order = repair.sudo().sale_order_id
            if not order or order.state == "cancel" or order.order_line.filtered("qty_invoiced"):
                continue
            order.order_line.filtered(
                lambda line: not line.display_type and not line.service_rma_id
            ).service_rma_id = repair.rma_id
            if repair.service_at_cost:
                repair.sudo()._service_apply_cost_lines(order)
            else:
                repair.sudo()._service_drop_cost_lines(order)

    def _service_drop_cost_lines(self, order):
        lines = order.order_line.filtered("service_cost_kind")
        extra = lines.filtered(lambda line: line.service_cost_kind in ("labour", "visit"))
        if order.state in ("draft", "sent"):
            extra.unlink()
        else:
            extra.write({"product_uom_qty": 0.0, "price_unit": 0.0})
        parts = (lines - extra).exists()
        parts.service_cost_kind = False
        if self.under_warranty:
            parts.write({"price_unit": 0.0, "technical_price_unit": 0.0, "discount": 0.0})
        else:
            parts.with_context(force_price_recomputation=True)._compute_price_unit()
            parts._compute_discount()

    def _service_apply_cost_lines(self, order):
        company = self.company_id
        policy = self.rma_id.policy_id
        rate = costing.labour_rate(company.service_labour_cost_rate, policy.labour_cost_rate)
        part_lines = order.order_line.filtered(
            lambda line: (
                not line.display_type
                and line.service_cost_kind not in ("labour", "visit")
                and line.move_ids.filtered(lambda m: m.repair_id == self and m.repair_line_type == "add")
            )
        )
        parts = [self._service_part(line) for line in part_lines]
        cost_lines = costing.charged_lines(
            costing.at_cost_lines(parts, self.labour_hours, rate, policy.visit_fee, self.rma_id.on_site),
            **self.rma_id._service_cost_terms(),
        )
        by_key = {line.key: line for line in cost_lines if line.kind == "part"}
        for sale_line in part_lines:
            cost = by_key[sale_line.id]
            sale_line.write(self._service_line_vals(sale_line, "part", cost))
        for kind, product_xmlid in (
            ("labour", "service_rma.product_labour_at_cost"),
            ("visit", "service_rma.product_visit_at_cost"),
        ):
            cost = next((line for line in cost_lines if line.kind == kind), None)
            existing = order.order_line.filtered(lambda line, k=kind: line.service_cost_kind == k)
            if cost and existing:
                existing[:1].write(self._service_line_vals(existing[:1], kind, cost))
                (existing - existing[:1]).unlink()
            elif cost:
                product = self.env.ref(product_xmlid)
                new = self.env["sale.order.line"].create(
                    {
                        "order_id": order.id,
                        "product_id": product.id,
                        "product_uom_qty": cost.quantity,
                        "service_rma_id": self.rma_id.id,
                        "service_cost_kind": kind,
                    }
                )
                new.write(self._service_line_vals(new, kind, cost))
            elif existing and order.state in ("draft", "sent"):
                existing.unlink()
            elif existing:
                existing.write({"product_uom_qty": 0.0, "price_unit": 0.0})

    def _service_part(self, sale_line):
        """The part behind a quotation line: its valued consumption when the
        repair is done and stock valuation gave one, and its cost price."""
        moves = sale_line.move_ids.filtered(lambda m: m.repair_id == self and m.state != "cancel")
        product = sale_line.product_id
        uom = sale_line.product_uom_id
        standard_price = product.uom_id._compute_price(
            product.with_company(self.company_id).standard_price, uom
        )
        done = moves.filtered(lambda m: m.state == "done")
        valued_amount = valued_quantity = 0.0
        if done and done == moves and all(move.value for move in done):
            valued_amount = sum(done.mapped("value"))
            valued_quantity = sum(m.product_uom._compute_quantity(m.quantity, uom) for m in done)
        return costing.Part(
            key=sale_line.id,
            quantity=sale_line.product_uom_qty,
            standard_price=standard_price,
            valued_amount=valued_amount,
            valued_quantity=valued_quantity,
        )

    def _service_line_vals(self, sale_line, kind, cost):
        order = sale_line.order_id
        price = self.rma_id._service_cost_price(sale_line, cost.unit_cost)
        env = self.with_context(lang=order.partner_id.lang).env
        names = {
            "part": env._(
                # The product shows beside the label (and heads the invoice
                # line's name), so the label says only where the part went.
                "%(rma)s · %(repair)s · Part at cost",
                rma=self.rma_id.name,
                repair=self.name,
            ),
            "labour": env._(
                "%(rma)s · %(repair)s · Labour at cost (%(hours)s h)",
                rma=self.rma_id.name,
                repair=self.name,
                hours=round(cost.quantity, 2),
            ),
            "visit": env._(
                "%(rma)s · %(repair)s · On-site visit fee, at cost", rma=self.rma_id.name, repair=self.name
            ),
        }
        vals = {
            "price_unit": price,
            "discount": 0.0,
            "name": names[kind],
            "service_rma_id": self.rma_id.id,
            "service_cost_kind": kind,
        }
        if kind != "part":
            vals["product_uom_qty"] = cost.quantity
        return vals
