from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding, states_sql
from odoo.exceptions import ConcurrencyError, UserError
from psycopg2.errors import UniqueViolation

OPEN_LOAN_STATES = ("draft", "out")
# Moved by the loan's transfers only: a loan written "returned" by hand would
# let its RMA close while the customer still has the unit.
DECIDED_LOAN_FIELDS = ("state", "date_out", "date_returned", "picking_out_id", "picking_back_id",
                       "overdue_warned")


class ServiceLoan(models.Model):
    _name = "service.loan"
    _description = "Loan of a loaner unit"
    _inherit = ["mail.thread", "service.decided.mixin", "service.transfer.mixin"]
    _order = "date_out desc, id desc"
    _check_company_auto = True

    rma_id = fields.Many2one("service.rma", string="RMA", required=True, index=True, ondelete="restrict",
                             check_company=True)
    company_id = fields.Many2one(related="rma_id.company_id", store=True, precompute=True)
    partner_id = fields.Many2one(related="rma_id.partner_id", store=True, precompute=True)
    lot_id = fields.Many2one(
        "stock.lot", string="Loaner unit", required=True, index=True, check_company=True,
        domain="[('is_loaner', '=', True)]",
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True, precompute=True)
    state = fields.Selection(
        [("draft", "To hand over"), ("out", "With the customer"), ("returned", "Returned"),
         ("cancel", "Cancelled")],
        default="draft", required=True, tracking=True, copy=False, index=True,
    )
    date_out = fields.Date(readonly=True, copy=False, string="Lent on")
    date_due = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self) + timedelta(days=14),
        tracking=True,
        string="Due back",
    )
    date_returned = fields.Date(readonly=True, copy=False, string="Returned on")
    picking_out_id = fields.Many2one(
        "stock.picking", readonly=True, copy=False, check_company=True, string="Delivery to the customer",
    )
    picking_back_id = fields.Many2one(
        "stock.picking", readonly=True, copy=False, check_company=True, string="Return from the customer",
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue", string="Overdue")
    overdue_warned = fields.Boolean(readonly=True, copy=False, string="Overdue warning sent")

    # A pool unit is lent at most once at a time, whoever asks at the same moment.
    _lot_open_unique = models.UniqueIndex(
        f"(lot_id) WHERE state IN ({states_sql(OPEN_LOAN_STATES)})"
    )

    @api.depends("state", "date_due")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for loan in self:
            loan.is_overdue = loan.state == "out" and loan.date_due < today

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue loans."))
        domain = [("state", "=", "out"), ("date_due", "<", fields.Date.context_today(self))]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends("lot_id", "rma_id")
    def _compute_display_name(self):
        for loan in self:
            loan.display_name = f"{loan.lot_id.name} → {loan.rma_id.name}"

    def _decided_fields(self):
        hints = dict.fromkeys(DECIDED_LOAN_FIELDS, self.env._(
            "A loan moves with its transfers: validate the delivery to the customer, or Receive loaner back."
        ))
        if any(loan.state != "draft" for loan in self):
            hints.update(dict.fromkeys(("rma_id", "lot_id"), self.env._(
                "The unit lent and its RMA are fixed once the unit is with the customer."
            )))
        return hints

    def _decided_create_fields(self):
        return {name: None for name in DECIDED_LOAN_FIELDS} | {"state": ("draft",)}

    @api.model_create_multi
    def create(self, vals_list):
        try:
            with self.env.cr.savepoint():
                loans = super().create(vals_list)
                self.env.flush_all()
        except UniqueViolation as error:
            # Another clerk lent the same unit a moment ago: Odoo retries the
            # request, which then sees the unit taken and says so.
            raise ConcurrencyError("loaner unit lent twice at the same time") from error
        loans._check_lot_available()
        loans._create_picking_out()
        return loans

    def _check_lot_available(self):
        for loan in self:
            if not loan.lot_id.is_loaner:
                raise UserError(self.env._("%(serial)s is not in the loaner pool.", serial=loan.lot_id.name))

    @api.model
    def _find_available_unit(self, product):
        """A pool unit of ``product`` in a loaner location and not lent out."""
        lent = self.search([("state", "in", OPEN_LOAN_STATES)]).lot_id
        quants = self.env["stock.quant"].search([
            ("product_id", "=", product.id),
            ("lot_id.is_loaner", "=", True),
            ("lot_id", "not in", lent.ids),
            ("location_id.usage", "=", "internal"),
            ("quantity", ">", 0),
        ], order="in_date, id")
        return quants.lot_id[:1]

    # -- transfers (service.transfer.mixin) --------------------------------

    def _service_transfer_spec(self, kind):
        warehouse = self.rma_id.warehouse_id
        customer = self.partner_id.property_stock_customer
        if kind == "loan_out":
            source = self.lot_id._service_internal_location() or warehouse._get_loaner_location()
            return warehouse, source, customer, self.lot_id
        if kind == "loan_back":
            return warehouse, customer, warehouse._get_loaner_location(), self.lot_id
        return super()._service_transfer_spec(kind)

    def _service_move_link(self):
        return {"service_loan_id": self.id}

    def _service_partner(self):
        return self.partner_id

    def _create_picking_out(self):
        for loan in self:
            picking = loan._service_create_transfer("loan_out")
            with deciding():
                loan.picking_out_id = picking

    def action_lend(self):
        """The dialog's button: the loan is saved (which prepares its delivery);
        open that delivery to hand the unit over."""
        self.ensure_one()
        return self.picking_out_id.get_formview_action()

    def action_receive_back(self):
        """An incoming transfer of the loaner from the customer back into the pool."""
        wrong = self.filtered(lambda loan: loan.state != "out")
        if wrong:
            raise UserError(self.env._("Only a loaner with the customer can come back."))
        for loan in self.filtered(lambda loan: not loan.picking_back_id):
            picking = loan._service_create_transfer("loan_back")
            with deciding():
                loan.picking_back_id = picking
        return self.picking_back_id.get_formview_action() if len(self) == 1 else True

    def _on_loan_out_done(self):
        with deciding():
            self.filtered(lambda loan: loan.state == "draft").write(
                {"state": "out", "date_out": fields.Date.context_today(self)}
            )

    def _on_loan_back_done(self):
        with deciding():
            self.filtered(lambda loan: loan.state == "out").write(
                {"state": "returned", "date_returned": fields.Date.context_today(self)}
            )

    def action_cancel(self):
        if self.filtered(lambda loan: loan.state != "draft"):
            raise UserError(self.env._("Only a loan not yet handed over can be cancelled."))
        self.check_access("write")
        self.picking_out_id.filtered(lambda p: p.state not in ("done", "cancel")).action_cancel()
        with deciding():
            self.write({"state": "cancel"})
