from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.float_utils import float_is_zero

BILLING_GROUP = "account.group_account_invoice"
BILLING_STATES = [
    ("none", "Nothing to bill"),
    ("pending", "Repair not finished"),
    ("to_bill", "To bill"),
    ("zero", "To check: total 0"),
    ("billed", "Billed"),
]


class ServiceBillingMixin(models.AbstractModel):
    """What billing a service document at cost is, whatever the document (a
    shop repair's RMA, an on-site visit): its at-cost quotation, the invoice
    that bills it, its billing state, and the batch billing that never bills
    a document twice.

    A document using it has ``name``, ``company_id``, ``partner_id``,
    ``sale_order_id`` (its at-cost quotation), ``bill_line_ids`` (the invoice
    lines whose ``_billing_line_field`` points back at it) and implements
    ``_billing_state_unbilled`` and ``_billing_document_refusal``."""

    _name = "service.billing.mixin"
    _description = "Service billed at cost"

    # The field linking a quotation line and an invoice line to the document.
    _billing_line_field = None
    # The document's word in ``bill_at_cost``'s answer: "<word>_ids", "<word>_id",
    # and the per-document grouping.
    _billing_key = None

    currency_id = fields.Many2one("res.currency", compute="_compute_amount_at_cost", compute_sudo=True)
    amount_at_cost = fields.Monetary(
        string="At-cost total",
        compute="_compute_amount_at_cost",
        compute_sudo=True,
        help="Untaxed total of the at-cost quotation: parts at cost, labour at the cost rate, visit fee.",
    )
    bill_id = fields.Many2one(
        "account.move",
        compute="_compute_bill_id",
        store=True,
        compute_sudo=True,
        index="btree_not_null",
        help="The draft or posted invoice that bills this service. "
        "Cancelling it frees it to be billed again.",
    )
    billing_state = fields.Selection(
        BILLING_STATES,
        compute="_compute_billing_state",
        store=True,
        index=True,
        compute_sudo=True,
        string="Billing",
    )

    @api.depends("sale_order_id.order_line.price_subtotal", "sale_order_id.currency_id", "company_id")
    def _compute_amount_at_cost(self):
        link = self._billing_line_field
        for doc in self:
            lines = doc.sale_order_id.order_line.filtered(lambda line, d=doc: line[link] == d)
            doc.currency_id = doc.sale_order_id.currency_id or doc.company_id.currency_id
            doc.amount_at_cost = sum(lines.mapped("price_subtotal"))

    @api.depends("bill_line_ids.parent_state", "bill_line_ids.move_id.move_type")
    def _compute_bill_id(self):
        for doc in self:
            moves = doc.bill_line_ids.filtered(
                lambda line: line.parent_state in ("draft", "posted")
            ).move_id.filtered(lambda move: move.move_type == "out_invoice")
            doc.bill_id = moves.sorted("id")[-1:]

    @api.depends("sale_order_id.state", "sale_order_id.amount_untaxed", "bill_id")
    def _compute_billing_state(self):
        for doc in self:
            if doc.bill_id:
                doc.billing_state = "billed"
                continue
            state = doc._billing_state_unbilled()
            if state == "ready":
                # A service after the warranty that costs nothing is a mistake
                # more often than a gift (a part not recorded, no labour
                # hours): finance sees it flagged instead of a 0.00 invoice.
                zero = doc.sale_order_id.currency_id.is_zero(doc.sale_order_id.amount_untaxed)
                state = "zero" if zero else "to_bill"
            doc.billing_state = state

    def _billing_state_unbilled(self):
        """``none``, ``pending`` or ``ready`` (finished, its at-cost quotation
        confirmed) for a document that no invoice bills."""
        raise NotImplementedError(f"{self._name} must say when it is ready to bill")

    def _service_cost_terms(self):
        """Which cost components this document charges the customer:
        ``{"parts": bool, "labour": bool, "visit_fee": bool}``. Everything when
        the warranty does not cover it, nothing when it does. A contract that
        makes some components free (on-site labour and fee under maintenance)
        overrides this."""
        self.ensure_one()
        charged = not self._service_is_covered()
        return {"parts": charged, "labour": charged, "visit_fee": charged}

    def _service_is_covered(self):
        self.ensure_one()
        return bool(self.covered)

    def _service_cost_price(self, sale_line, unit_cost):
        """``unit_cost`` (in the company's currency) as the price of a
        quotation line: converted at the order's date, and raised when the
        line's taxes are included in its price, so that what is left before
        tax is exactly the cost."""
        order = sale_line.order_id
        company = order.company_id
        price = company.currency_id._convert(
            unit_cost, order.currency_id, company, fields.Date.to_date(order.date_order)
        )
        taxes = sale_line.tax_ids
        if taxes.filtered("price_include"):
            untaxed = taxes.compute_all(
                100.0, order.currency_id, 1.0, sale_line.product_id, order.partner_id
            )["total_excluded"]
            price = price * 100.0 / untaxed if not float_is_zero(untaxed, precision_digits=6) else price
        return price

    # -- billing -----------------------------------------------------------

    def action_view_bill(self):
        return self.bill_id.get_formview_action()

    def action_view_quotation(self):
        return self.sale_order_id.get_formview_action()

    def bill_at_cost(self, grouping=None):
        """Bill these documents at cost: one invoice per customer, or one per
        document (``grouping``: "partner" or the document's key, "rma" or
        "visit"; default: the company's setting). Returns ``{invoices, billed,
        skipped}``; the invoices are drafts for finance to post.

        Never twice: the documents are locked first, so a clerk billing the
        same ones at the same moment waits, then fails with a serialization
        error that Odoo answers by retrying the request, which finds them
        billed and skips them."""
        if not self.env.user.has_group(BILLING_GROUP):
            raise AccessError(self.env._("Only invoicing users (Accounting: Invoicing) can bill repairs."))
        if grouping not in (None, False, "partner", self._billing_key):
            raise UserError(
                self.env._(
                    "Unknown grouping %(grouping)s: use partner or %(document)s.",
                    grouping=grouping,
                    document=self._billing_key,
                )
            )
        docs = self.exists()
        docs.check_access("read")
        docs._lock_for_billing()
        billable, skipped = docs._split_billable()
        if not billable:
            raise UserError(
                self.env._(
                    "Nothing to bill: %(reasons)s",
                    reasons="; ".join(f"{item['name']}: {item['reason']}" for item in skipped)
                    or self.env._("nothing selected"),
                )
            )
        invoices = billable._create_bills(grouping)
        link = self._billing_line_field
        return {
            "invoices": [
                {
                    "id": move.id,
                    "name": move.display_name,
                    "partner": move.partner_id.display_name,
                    "amount_untaxed": move.amount_untaxed,
                    "amount_total": move.amount_total,
                    "currency": move.currency_id.name,
                    f"{self._billing_key}_ids": move.invoice_line_ids[link].ids,
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
        """Row locks on the documents: whoever bills (or re-opens a bill of)
        the same ones concurrently waits for this transaction, then fails with
        a serialization error if it changed them. PostgreSQL settles it."""
        if self:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
                    SQL.identifier(self._table),
                    tuple(self.ids),
                )
            )
            self.invalidate_recordset(["bill_id", "billing_state"])

    def _split_billable(self):
        billable = self.browse()
        skipped = []
        for doc in self:
            reason = doc._billing_refusal()
            if reason:
                skipped.append({f"{self._billing_key}_id": doc.id, "name": doc.name, "reason": reason})
            else:
                billable |= doc
        return billable, skipped

    def _billing_refusal(self):
        """Why this document cannot be billed now, in words; False when it can."""
        self.ensure_one()
        if self.bill_id:
            return self.env._("already billed on %(bill)s", bill=self.bill_id.display_name)
        return self._billing_document_refusal()

    def _billing_document_refusal(self):
        raise NotImplementedError(f"{self._name} must say why it cannot be billed")

    def _create_bills(self, grouping):
        orders = self.sudo().sale_order_id
        # Odoo's invoicing walks the orders one by one: read what it reads per
        # order for all of them at once, and let the invoice lines share their
        # analytic look-ups, so the cost grows with the invoices, not with the
        # documents.
        orders.order_line.mapped("tax_ids")
        orders.order_line.mapped("invoice_lines")
        invoices = self.env["account.move"]
        memo = self.env.cr.cache.setdefault("service_rma_analytic_memo", {})
        try:
            for company in self.company_id:
                company_orders = orders.filtered(lambda order, c=company: order.company_id == c)
                # The company's setting says "rma" for one invoice per document.
                per_document = (grouping or company.service_bill_grouping) in ("rma", self._billing_key)
                invoices |= company_orders.with_company(company)._create_invoices(grouped=per_document)
        finally:
            memo.clear()
            self.env.cr.cache.pop("service_rma_analytic_memo", None)
        return invoices
