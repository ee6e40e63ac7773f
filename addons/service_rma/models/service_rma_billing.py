from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

BILLING_GROUP = "account.group_account_invoice"


class ServiceRma(models.Model):
    """Cost-only billing of post-warranty repairs: the RMA's repair is quoted
    at cost (see ``repair.order``), and finance bills such quotations in
    batches, never twice."""

    _inherit = "service.rma"

    on_site = fields.Boolean(
        string="Serviced on site",
        tracking=True,
        help="The technician went to the customer: a repair billed at cost adds the policy's visit fee.",
    )
    labour_hours = fields.Float(related="repair_id.labour_hours", string="Labour (hours)")
    sale_order_id = fields.Many2one(
        related="repair_id.sale_order_id", string="Quotation", store=True, index="btree_not_null"
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_amount_at_cost", compute_sudo=True)
    amount_at_cost = fields.Monetary(
        string="At-cost total",
        compute="_compute_amount_at_cost",
        compute_sudo=True,
        help="Untaxed total of the repair's at-cost quotation: parts at cost, labour at the cost rate, "
        "visit fee.",
    )
    bill_line_ids = fields.One2many("account.move.line", "service_rma_id", string="Bill lines", readonly=True)
    bill_id = fields.Many2one(
        "account.move",
        compute="_compute_bill_id",
        store=True,
        compute_sudo=True,
        index="btree_not_null",
        help="The draft or posted invoice that bills this repair. "
        "Cancelling it frees the repair to be billed again.",
    )
    billing_state = fields.Selection(
        [
            ("none", "Nothing to bill"),
            ("pending", "Repair not finished"),
            ("to_bill", "To bill"),
            ("zero", "To check: total 0"),
            ("billed", "Billed"),
        ],
        compute="_compute_billing_state",
        store=True,
        index=True,
        compute_sudo=True,
        string="Billing",
    )

    @api.depends("sale_order_id.order_line.price_subtotal", "sale_order_id.currency_id", "company_id")
    def _compute_amount_at_cost(self):
        for rma in self:
            lines = rma.sale_order_id.order_line.filtered(lambda line, r=rma: line.service_rma_id == r)
            rma.currency_id = rma.sale_order_id.currency_id or rma.company_id.currency_id
            rma.amount_at_cost = sum(lines.mapped("price_subtotal"))

    @api.depends("bill_line_ids.parent_state", "bill_line_ids.move_id.move_type")
    def _compute_bill_id(self):
        for rma in self:
            moves = rma.bill_line_ids.filtered(
                lambda line: line.parent_state in ("draft", "posted")
            ).move_id.filtered(lambda move: move.move_type == "out_invoice")
            rma.bill_id = moves.sorted("id")[-1:]

    @api.depends(
        "remedy", "repair_id.state", "sale_order_id.state", "sale_order_id.amount_untaxed", "bill_id"
    )
    def _compute_billing_state(self):
        for rma in self:
            if rma.bill_id:
                rma.billing_state = "billed"
            elif rma.remedy != "repair_at_cost" or not rma.repair_id or rma.repair_id.state == "cancel":
                rma.billing_state = "none"
            elif rma.repair_id.state == "done" and rma.sale_order_id.state == "sale":
                # A post-warranty repair that costs nothing is a mistake more
                # often than a gift (a part not recorded, no labour hours):
                # finance sees it flagged instead of sending a 0.00 invoice.
                zero = rma.sale_order_id.currency_id.is_zero(rma.sale_order_id.amount_untaxed)
                rma.billing_state = "zero" if zero else "to_bill"
            else:
                rma.billing_state = "pending"

    # -- billing -----------------------------------------------------------

    def action_open_bill_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bill at cost"),
            "res_model": "service.rma.bill",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_view_bill(self):
        return self.bill_id.get_formview_action()

    def action_view_quotation(self):
        return self.sale_order_id.get_formview_action()

    def bill_at_cost(self, grouping=None):
        """Bill these post-warranty repairs at cost: one invoice per customer,
        or per RMA (``grouping``: "partner" or "rma"; default: the company's
        setting). Returns ``{invoices, billed, skipped}``; the invoices are
        drafts for finance to post.

        Never twice: the RMAs are locked first, so a clerk billing the same
        repairs at the same moment waits, then fails with a serialization
        error that Odoo answers by retrying the request, which finds them
        billed and skips them."""
        if not self.env.user.has_group(BILLING_GROUP):
            raise AccessError(self.env._("Only invoicing users (Accounting: Invoicing) can bill repairs."))
        if grouping not in (None, False, "partner", "rma"):
            raise UserError(
                self.env._("Unknown grouping %(grouping)s: use partner or rma.", grouping=grouping)
            )
        rmas = self.exists()
        rmas.check_access("read")
        rmas._lock_for_billing()
        billable, skipped = rmas._split_billable()
        if not billable:
            raise UserError(
                self.env._(
                    "Nothing to bill: %(reasons)s",
                    reasons="; ".join(f"{item['name']}: {item['reason']}" for item in skipped)
                    or self.env._("no RMA selected"),
                )
            )
        invoices = billable._create_bills(grouping)
        return {
            "invoices": [
                {
                    "id": move.id,
                    "name": move.display_name,
                    "partner": move.partner_id.display_name,
                    "amount_untaxed": move.amount_untaxed,
                    "amount_total": move.amount_total,
                    "currency": move.currency_id.name,
                    "rma_ids": move.invoice_line_ids.service_rma_id.ids,
                }
                for move in invoices
            ],
            "billed": billable.ids,
            "skipped": skipped,
        }

    def action_bill_at_cost(self, grouping=None):
        result = self.bill_at_cost(grouping)
        invoices = self.env["account.move"].browse([invoice["id"] for invoice in result["invoices"]])
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", invoices.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        if len(invoices) == 1:
            action.update(views=[(False, "form")], res_id=invoices.id, view_mode="form")
        if not result["skipped"]:
            return action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Some repairs were not billed"),
                "message": "; ".join(f"{item['name']}: {item['reason']}" for item in result["skipped"]),
                "type": "warning",
                "sticky": True,
                "next": action,
            },
        }

    def _lock_for_billing(self):
        """Row locks on the RMAs: whoever bills (or re-opens a bill of) the
        same repairs concurrently waits for this transaction, then fails with
        a serialization error if it changed them. PostgreSQL settles it."""
        if self:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM service_rma WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", tuple(self.ids)
                )
            )
            self.invalidate_recordset(["bill_id", "billing_state"])

    def _split_billable(self):
        billable = self.browse()
        skipped = []
        for rma in self:
            reason = rma._billing_refusal()
            if reason:
                skipped.append({"rma_id": rma.id, "name": rma.name, "reason": reason})
            else:
                billable |= rma
        return billable, skipped

    def _billing_refusal(self):
        self.ensure_one()
        if self.bill_id:
            return self.env._("already billed on %(bill)s", bill=self.bill_id.display_name)
        if self.covered:
            return self.env._("covered by the warranty: its repair is free")
        if self.remedy != "repair_at_cost":
            return self.env._("the verdict is not a repair at cost")
        if self.billing_state == "zero":
            return self.env._(
                "its at-cost total is 0: check the parts and labour hours recorded on %(repair)s",
                repair=self.repair_id.display_name,
            )
        if self.billing_state != "to_bill":
            return self.env._("its repair is not finished or has no confirmed at-cost quotation")
        return False

    def _create_bills(self, grouping):
        orders = self.sudo().sale_order_id
        # Odoo's invoicing walks the orders one by one: read what it reads per
        # order for all of them at once, and let the invoice lines share their
        # analytic look-ups, so the cost grows with the invoices, not with the
        # repairs.
        orders.order_line.mapped("tax_ids")
        orders.order_line.mapped("invoice_lines")
        invoices = self.env["account.move"]
        memo = self.env.cr.cache.setdefault("service_rma_analytic_memo", {})
        try:
            for company in self.company_id:
                company_orders = orders.filtered(lambda order, c=company: order.company_id == c)
                per_rma = (grouping or company.service_bill_grouping) == "rma"
                invoices |= company_orders.with_company(company)._create_invoices(grouped=per_rma)
        finally:
            memo.clear()
            self.env.cr.cache.pop("service_rma_analytic_memo", None)
        return invoices
