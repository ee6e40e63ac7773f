from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding, states_sql
from odoo.exceptions import ConcurrencyError, UserError
from odoo.fields import Command, Domain
from psycopg2.errors import UniqueViolation

# The states in which a claim is open: at most one per RMA (the unique index
# below), and what the RMA reads to know that its unit is the vendor's
# business.
OPEN_CLAIM_STATES = ("draft", "at_vendor")
OUTCOMES = [
    ("repaired", "Repaired free"),
    ("replaced", "Replaced"),
    ("refused", "Refused"),
    ("credit_note", "Credit note received"),
]
# The outcomes after which the vendor keeps the customer's unit: it does not
# come back to the shop.
KEPT_OUTCOMES = ("replaced", "credit_note")
# Written only by the claim's actions and transfers.
DECIDED_CLAIM_FIELDS = (
    "name", "state", "rma_id", "lot_id", "product_id", "company_id", "date_sent", "date_expected",
    "date_back", "outcome", "picking_out_id", "picking_back_id", "credit_note_id",
)
DEFAULT_TURNAROUND_DAYS = 14


class ServiceVendorClaim(models.Model):
    """A claim under the manufacturer's warranty: the customer's unit goes to
    its vendor, which repairs it, replaces it, refuses, or credits us.

    The claim moves only with its transfers (``vendor_out`` to the vendor,
    ``vendor_back`` from it, through ``service.transfer.mixin``) and its
    buttons, each allowed by a ``can_<action>`` field; what the outcome means
    for the customer is the RMA's to decide (``service.rma.
    _on_vendor_claim_done``).
    """

    _name = "service.vendor.claim"
    _description = "Vendor warranty claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "service.decided.mixin", "service.transfer.mixin"]
    _order = "date_sent desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/", index="trigram")
    rma_id = fields.Many2one(
        "service.rma", string="RMA", required=True, index=True, ondelete="restrict", check_company=True,
    )
    company_id = fields.Many2one(related="rma_id.company_id", store=True, precompute=True, index=True)
    lot_id = fields.Many2one(
        related="rma_id.lot_id", store=True, precompute=True, index=True, string="Unit sent",
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True, precompute=True)
    customer_id = fields.Many2one(related="rma_id.partner_id", string="Customer")
    partner_id = fields.Many2one(
        "res.partner",
        string="Vendor",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        help="Who the unit is claimed from: the partner of the receipt that brought the serial in, else the "
        "product's main vendor. It can change until the unit's transfer to the vendor is made.",
    )
    vendor_reference = fields.Char(
        string="Vendor's RMA number", tracking=True, copy=False,
        help="The number the vendor gave this claim: quote it when you call them.",
    )
    turnaround_days = fields.Integer(
        string="Turnaround (days)", default=DEFAULT_TURNAROUND_DAYS, tracking=True,
        help="The days the vendor promised to send the unit back in, counted from the day it was sent.",
    )
    state = fields.Selection(
        [("draft", "To send"), ("at_vendor", "At the vendor"), ("done", "Done"), ("cancel", "Cancelled")],
        default="draft", required=True, copy=False, tracking=True, index=True,
    )
    outcome = fields.Selection(
        OUTCOMES, readonly=True, copy=False, tracking=True,
        help="The vendor's answer: repaired free of charge, replaced by another serial, claim refused (the "
        "unit comes back as it was), or a credit note instead (the vendor keeps the unit).",
    )
    date_sent = fields.Date(readonly=True, copy=False, string="Sent on")
    date_expected = fields.Date(
        compute="_compute_date_expected", store=True, index="btree_not_null", string="Expected back",
    )
    date_back = fields.Date(
        readonly=True, copy=False, string="Back on",
        help="The day the unit (or its replacement) came back, or the vendor's credit note was recorded.",
    )
    days_out = fields.Integer(compute="_compute_days_out", string="Days out")
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue", string="Overdue")
    replacement_lot_id = fields.Many2one(
        "stock.lot", string="Replacement serial", copy=False, check_company=True, tracking=True,
        domain="[('product_id', '=', product_id)]",
        help="The serial number of the unit the vendor sends instead of the customer's.",
    )
    credit_note_id = fields.Many2one(
        "account.move", string="Vendor credit note", readonly=True, copy=False, check_company=True,
    )
    picking_out_id = fields.Many2one(
        "stock.picking", readonly=True, copy=False, check_company=True, string="Transfer to the vendor",
    )
    picking_back_id = fields.Many2one(
        "stock.picking", readonly=True, copy=False, check_company=True, string="Transfer from the vendor",
    )
    can_send = fields.Boolean(compute="_compute_can", string="Can send to the vendor")
    can_receive_back = fields.Boolean(compute="_compute_can", string="Can receive back")
    can_credit_note = fields.Boolean(compute="_compute_can", string="Can record a credit note")
    can_cancel = fields.Boolean(compute="_compute_can", string="Can cancel")

    _name_company_unique = models.Constraint(
        "UNIQUE (name, company_id)", "A vendor claim number must be unique per company."
    )
    # One open claim per RMA, settled by PostgreSQL when two clerks claim at once.
    _rma_open_unique = models.UniqueIndex(
        f"(rma_id) WHERE state IN ({states_sql(OPEN_CLAIM_STATES)})"
    )
    _turnaround_positive = models.Constraint(
        "CHECK (turnaround_days >= 0)", "A turnaround is counted in days and cannot be negative."
    )

    @api.depends("lot_id", "company_id")
    def _compute_partner_id(self):
        for company, claims in self.grouped("company_id").items():
            vendors = claims.lot_id._service_vendors(company)
            for claim in claims:
                claim.partner_id = vendors.get(claim.lot_id, claim.partner_id)

    @api.depends("date_sent", "turnaround_days")
    def _compute_date_expected(self):
        for claim in self:
            claim.date_expected = (
                claim.date_sent + timedelta(days=claim.turnaround_days) if claim.date_sent else False
            )

    @api.depends("date_sent", "date_back")
    def _compute_days_out(self):
        today = fields.Date.context_today(self)
        for claim in self:
            claim.days_out = ((claim.date_back or today) - claim.date_sent).days if claim.date_sent else 0

    @api.depends("state", "date_expected")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for claim in self:
            claim.is_overdue = claim.state == "at_vendor" and bool(claim.date_expected) and (
                claim.date_expected < today
            )

    def _search_is_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        overdue = Domain("state", "=", "at_vendor") & Domain(
            "date_expected", "<", fields.Date.context_today(self)
        )
        wanted = {bool(item) for item in value}
        if wanted == {True, False}:
            return Domain.TRUE
        return overdue if True in wanted else ~overdue

    @api.depends("state", "picking_out_id.state", "picking_back_id.state")
    def _compute_can(self):
        """The claim's state machine, written once: the buttons show what
        these say, and every action refuses what they refuse. A cancelled
        transfer can be made again."""
        for claim in self:
            pickings = claim.sudo()
            out_live = pickings.picking_out_id.state not in (False, "cancel")
            back_live = pickings.picking_back_id.state not in (False, "cancel")
            claim.can_send = claim.state == "draft" and not out_live
            claim.can_receive_back = claim.state == "at_vendor" and not back_live
            claim.can_credit_note = claim.state == "at_vendor" and not back_live
            claim.can_cancel = claim.state == "draft"

    def _decided_fields(self):
        hints = dict.fromkeys(DECIDED_CLAIM_FIELDS, self.env._(
            "A vendor claim moves with its buttons and its transfers: Send to the vendor, then Back "
            "repaired, Back as a replacement, Refused or Credit note received."
        ))
        if any(claim.state != "draft" or claim.picking_out_id for claim in self):
            hints["partner_id"] = self.env._(
                "The vendor is fixed once the unit's transfer to the vendor is made."
            )
        if any(claim.state != "at_vendor" or claim.picking_back_id for claim in self):
            hints["replacement_lot_id"] = self.env._(
                "The replacement serial is entered while the unit is at the vendor, before it comes back."
            )
        if any(claim.state in ("done", "cancel") for claim in self):
            hints.update(dict.fromkeys(("vendor_reference", "turnaround_days"), self.env._(
                "A closed vendor claim is kept as it was."
            )))
        return hints

    def _decided_create_fields(self):
        # A caller creates a claim of an RMA (an import may bring its number);
        # the rest is the claim's own from the first moment.
        refused = {name: None for name in DECIDED_CLAIM_FIELDS if name not in ("name", "rma_id")}
        return refused | {"state": ("draft",), "replacement_lot_id": None}

    @api.model_create_multi
    def create(self, vals_list):
        rmas = self.env["service.rma"].browse(
            [vals["rma_id"] for vals in vals_list if vals.get("rma_id")]
        )
        refused = rmas.filtered(lambda rma: not rma.can_claim_vendor)
        if refused:
            raise UserError(self.env._(
                "%(rmas)s cannot be claimed from the vendor: the unit must be received, not yet claimed, "
                "with a known vendor whose warranty (the policy's manufacturer warranty) still covers it.",
                rmas=", ".join(refused.mapped("name")),
            ))
        companies = {rma.id: rma.company_id for rma in rmas}
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = companies.get(vals.get("rma_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "service.vendor.claim"
                ) or "/"
        try:
            with self.env.cr.savepoint():
                claims = super().create(vals_list)
                self.env.flush_all()
        except UniqueViolation as error:
            # Another clerk claimed the same RMA a moment ago: Odoo retries the
            # request, which then finds the RMA claimed and says so.
            raise ConcurrencyError("RMA claimed from the vendor twice at the same time") from error
        return claims

    # -- actions -------------------------------------------------------------


    def action_send(self):
        """The transfer of the unit from the repair location to the vendor;
        validating it puts the claim at the vendor."""
        self._check_can("send", self.env._("Sending to the vendor"))
        for claim in self:
            picking = claim._service_create_transfer("vendor_out")
            with deciding():
                claim.picking_out_id = picking
        return self.picking_out_id.get_formview_action() if len(self) == 1 else True

    def action_receive_repaired(self):
        """The vendor repaired the unit free of charge: its transfer back."""
        return self._receive_back("repaired")

    def action_receive_refused(self):
        """The vendor refused the claim and sends the unit back as it was."""
        return self._receive_back("refused")

    def action_receive_replacement(self):
        """The vendor keeps the unit and sends the serial entered in
        *Replacement serial* instead."""
        self._check_can("receive_back", self.env._("Receiving the vendor's replacement"))
        for claim in self:
            claim._check_replacement()
        return self._receive_back("replaced")

    def _check_replacement(self):
        self.ensure_one()
        replacement = self.replacement_lot_id
        if not replacement:
            raise UserError(self.env._(
                "Enter the serial number of the vendor's replacement unit in %(claim)s first.",
                claim=self.name,
            ))
        if replacement.product_id != self.product_id or replacement == self.lot_id:
            raise UserError(self.env._(
                "The replacement must be another unit of %(product)s.", product=self.product_id.display_name
            ))
        if replacement._service_internal_location():
            raise UserError(self.env._(
                "%(serial)s is already in stock: the replacement is the unit the vendor sends.",
                serial=replacement.name,
            ))

    def _receive_back(self, outcome):
        self._check_can("receive_back", self.env._("Receiving from the vendor"))
        for claim in self:
            with deciding():
                # The outcome says which serial comes back (the spec reads it).
                claim.outcome = outcome
                claim.picking_back_id = claim._service_create_transfer("vendor_back")
        return self.picking_back_id.get_formview_action() if len(self) == 1 else True

    def action_credit_note(self):
        """The vendor keeps the unit and credits us: a draft vendor credit
        note (the unit at its cost, the vendor's RMA number as reference) for
        finance to check against the vendor's document and post; the claim is
        done and the RMA goes on without the customer's unit."""
        self._check_can("credit_note", self.env._("Recording the vendor's credit note"))
        today = fields.Date.context_today(self)
        for claim in self:
            # The repair shop records what the vendor decided; the credit note
            # is finance's to post, so it is made whatever the clerk's
            # accounting rights, as the RMA's refund is.
            credit_note = self.env["account.move"].sudo().with_company(claim.company_id).create(
                claim.sudo()._prepare_vendor_credit_note_vals()
            )
            with deciding():
                claim.write({"outcome": "credit_note", "credit_note_id": credit_note.id, "state": "done",
                             "date_back": today})
            claim.rma_id._on_vendor_claim_done(claim)
        return True

    def _prepare_vendor_credit_note_vals(self):
        self.ensure_one()
        product = self.product_id.with_company(self.company_id)
        return {
            "move_type": "in_refund",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.vendor_reference or self.name,
            "invoice_line_ids": [Command.create({
                "product_id": product.id,
                "quantity": 1,
                "price_unit": product.standard_price,
                "name": self.env._("Vendor claim %(claim)s: %(serial)s (%(rma)s)",
                                   claim=self.name, serial=self.lot_id.name, rma=self.rma_id.name),
            })],
        }

    def action_cancel(self):
        """A claim not yet at the vendor can be dropped; its transfer goes."""
        self._check_can("cancel", self.env._("Cancelling"))
        self.picking_out_id.filtered(lambda picking: picking.state not in ("done", "cancel")).action_cancel()
        with deciding():
            self.write({"state": "cancel"})

    def action_view_rma(self):
        return self.rma_id.get_formview_action()

    def action_view_picking_out(self):
        return self.picking_out_id.get_formview_action()

    def action_view_picking_back(self):
        return self.picking_back_id.get_formview_action()

    def action_view_credit_note(self):
        return self.credit_note_id.get_formview_action()

    # -- transfers (service.transfer.mixin) ----------------------------------

    def _service_transfer_spec(self, kind):
        warehouse = self.rma_id._get_warehouse()
        repair = warehouse._get_rma_location()
        vendor = self.partner_id.with_company(self.company_id).property_stock_supplier
        if kind == "vendor_out":
            return warehouse, repair, vendor, self.lot_id
        if kind == "vendor_back":
            unit = self.replacement_lot_id if self.outcome == "replaced" else self.lot_id
            return warehouse, vendor, repair, unit
        return super()._service_transfer_spec(kind)

    def _service_first_step(self, kind):
        # A unit goes back to its vendor the way Odoo returns a receipt: one
        # step, with the receipts' return operation type, from where the unit
        # is to the vendor's location (a warehouse's pick/pack/ship route leads
        # to customers, not vendors). It comes back as a receipt does, through
        # the warehouse's reception steps.
        if kind == "vendor_out":
            warehouse, _source, destination, _lot = self._service_transfer_spec(kind)
            picking_type = warehouse.in_type_id.return_picking_type_id or warehouse.out_type_id
            return picking_type, destination, self.env["stock.route"]
        return super()._service_first_step(kind)

    def _service_move_link(self):
        return {"service_vendor_claim_id": self.id}

    def _service_partner(self):
        return self.partner_id

    def _on_vendor_out_done(self):
        claims = self.filtered(lambda claim: claim.state == "draft")
        with deciding():
            claims.write({"state": "at_vendor", "date_sent": fields.Date.context_today(self)})
        for claim in claims:
            claim.rma_id.message_post(
                body=self.env._("%(claim)s: the unit went to the vendor %(vendor)s on %(date)s.",
                                claim=claim.name, vendor=claim.partner_id.display_name, date=claim.date_sent),
                subtype_xmlid="mail.mt_note",
            )

    def _on_vendor_back_done(self):
        claims = self.filtered(lambda claim: claim.state == "at_vendor")
        with deciding():
            claims.write({"state": "done", "date_back": fields.Date.context_today(self)})
        for claim in claims:
            claim.rma_id._on_vendor_claim_done(claim)
