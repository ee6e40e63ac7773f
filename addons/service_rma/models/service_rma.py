from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.addons.service_warranty.decisions import deciding, states_sql
from odoo.addons.service_warranty.models.service_warranty import LIVE_STATES
from odoo.addons.service_warranty.rules import add_months, remedy_is_covered
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL
from psycopg2.errors import UniqueViolation

from .service_vendor_claim import KEPT_OUTCOMES, OPEN_CLAIM_STATES

# The states in which an RMA is "open": one per unit (the unique index below),
# and what every search for a unit's open RMA reads.
OPEN_STATES = ("draft", "received", "diagnosed", "in_repair", "ready")
MANAGER_GROUP = "service_warranty.group_aftersales_manager"
USER_GROUP = "service_warranty.group_aftersales_user"
# Who reads the vendor side of an RMA: staff, and finance (who posts the
# vendor's credit notes); never the customer.
VENDOR_READERS = "service_warranty.group_aftersales_user,account.group_account_invoice"
# Written only by the RMA's actions: its state machine, the dates it stamps,
# the verdict and its override, and the documents it made.
DECIDED_FIELDS = (
    "name", "state", "date_intake", "date_received", "date_returned", "date_responded", "date_resolved",
    "sla_warned", "policy_remedy", "policy_covered", "policy_reason_code", "policy_reason_params",
    "remedy_override", "override_reason", "remedy", "covered", "policy_id", "priority_rank",
    "response_deadline", "resolution_deadline", "receipt_picking_id", "return_picking_id", "repair_id",
    "replacement_lot_id", "exchange_picking_id", "credit_note_id", "product_id", "commercial_partner_id",
    "vendor_claim_ids", "at_vendor_since",
)
# What the RMA is about: fixed once the unit is on its way in.
INTAKE_FIELDS = ("lot_id", "partner_id", "warranty_id", "company_id")
# The findings the verdict is made of: fixed once the repair starts.
DIAGNOSIS_FIELDS = ("exclusion_ids",)
DIAGNOSIS_STATES = ("draft", "received", "diagnosed")
REMEDIES = [
    ("refund", "Refund"),
    ("exchange", "Exchange"),
    ("repair", "Repair under warranty"),
    ("repair_at_cost", "Paid repair at cost"),
    ("repair_paid", "Paid repair"),
    ("rejected", "Rejected"),
]
REPAIR_REMEDIES = ("repair", "repair_at_cost", "repair_paid")
# The verdicts each remedy's action needs.
ACTION_VERDICTS = {"start_repair": REPAIR_REMEDIES, "exchange": ("exchange",), "refund": ("refund",)}


class ServiceRma(models.Model):
    _name = "service.rma"
    _description = "Return Merchandise Authorization"
    _inherit = [
        "portal.mixin", "mail.thread", "mail.activity.mixin",
        "service.decided.mixin", "service.transfer.mixin",
    ]
    _order = "priority_rank desc, date_intake desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/", index="trigram")
    state = fields.Selection(
        [
            ("draft", "New"),
            ("received", "Received"),
            ("diagnosed", "Diagnosed"),
            ("in_repair", "In repair"),
            ("ready", "Ready to return"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        copy=False,
        tracking=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Serial number", required=True, index=True, check_company=True,
        tracking=True, domain="[('product_id.tracking', '=', 'serial')]",
    )
    product_id = fields.Many2one(
        "product.product", related="lot_id.product_id", store=True, precompute=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True, tracking=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, precompute=True
    )
    warranty_id = fields.Many2one(
        "service.warranty", string="Certificate", check_company=True, index="btree_not_null"
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        compute="_compute_warehouse_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        tracking=True,
        help="Every transfer of this RMA and its loans goes through this warehouse's operation types: "
        "by default the warehouse that delivered the unit, else your default one. It can change until "
        "the unit's receipt is made.",
    )
    policy_id = fields.Many2one(
        "service.warranty.policy", compute="_compute_policy_id", store=True, precompute=True
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user, check_company=True,
        tracking=True,
    )
    priority = fields.Selection(
        [("normal", "Normal"), ("high", "Serious"), ("urgent", "Urgent (system down)")],
        default="normal",
        required=True,
        tracking=True,
    )
    priority_rank = fields.Integer(
        compute="_compute_priority_rank", store=True, precompute=True, string="Priority rank",
    )
    date_intake = fields.Datetime(
        string="Intake", required=True, default=fields.Datetime.now, readonly=True, copy=False
    )
    fault_description = fields.Text(string="Fault reported")
    cause = fields.Text(string="Cause found")
    action_taken = fields.Text(string="Action taken")
    exclusion_ids = fields.Many2many("service.warranty.exclusion", string="Exclusions found")
    policy_remedy = fields.Selection(
        [("refund", "Refund"), ("exchange", "Exchange"), ("repair", "Repair"),
         ("repair_at_cost", "Repair at cost"), ("repair_paid", "Paid repair"), ("none", "None")],
        compute="_compute_policy_verdict",
        store=True,
        precompute=True,
        string="Remedy under the policy",
    )
    policy_covered = fields.Boolean(
        compute="_compute_policy_verdict", store=True, precompute=True, string="Covered under the policy",
    )
    policy_reason_code = fields.Char(
        compute="_compute_policy_verdict", store=True, precompute=True, string="Reason code",
    )
    policy_reason_params = fields.Json(
        compute="_compute_policy_verdict", store=True, precompute=True, string="Reason parameters",
    )
    policy_reason = fields.Char(
        string="Reason", compute="_compute_policy_reason",
        help="The policy's reason for its remedy, in the reader's language.",
    )
    remedy_override = fields.Selection(
        REMEDIES, readonly=True, copy=False, tracking=True, string="Remedy override",
    )
    override_reason = fields.Text(readonly=True, copy=False, groups=USER_GROUP, string="Override reason")
    remedy = fields.Selection(
        REMEDIES, compute="_compute_remedy", store=True, precompute=True, tracking=True,
        help="What the RMA grants: the policy's remedy, or the administrator's override.",
    )
    covered = fields.Boolean(
        compute="_compute_remedy", store=True, precompute=True,
        help="The remedy is free to the customer.",
    )
    response_deadline = fields.Datetime(
        compute="_compute_deadlines", store=True, precompute=True, index="btree_not_null"
    , string="Respond by")
    resolution_deadline = fields.Datetime(
        compute="_compute_deadlines", store=True, precompute=True, index="btree_not_null"
    , string="Resolve by")
    date_responded = fields.Datetime(readonly=True, copy=False, string="Responded on")
    date_resolved = fields.Datetime(readonly=True, copy=False, string="Resolved on")
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue", string="Overdue")
    sla_warned = fields.Boolean(readonly=True, copy=False, groups=USER_GROUP, string="SLA warning sent")
    date_received = fields.Datetime(readonly=True, copy=False, string="Received on")
    date_returned = fields.Datetime(readonly=True, copy=False, string="Returned on")
    expected_repair_hours = fields.Float(
        help="The repair shop's estimate; above the policy's threshold the customer gets a loaner."
    , string="Expected repair (hours)")
    loaner_suggested = fields.Boolean(compute="_compute_loaner_suggested", string="Loaner suggested")
    receipt_picking_id = fields.Many2one(
        "stock.picking", readonly=True, copy=False, check_company=True, string="Receipt",
    )
    return_picking_id = fields.Many2one(
        "stock.picking", readonly=True, copy=False, check_company=True, string="Return transfer",
    )
    repair_id = fields.Many2one("repair.order", readonly=True, copy=False, check_company=True)
    replacement_lot_id = fields.Many2one(
        "stock.lot", string="Replacement unit", readonly=True, copy=False, check_company=True
    )
    exchange_picking_id = fields.Many2one(
        "stock.picking", readonly=True, copy=False, check_company=True, string="Replacement delivery",
    )
    credit_note_id = fields.Many2one(
        "account.move", readonly=True, copy=False, check_company=True, string="Credit note",
    )
    loan_ids = fields.One2many("service.loan", "rma_id", string="Loans")
    loaner_out = fields.Boolean(compute="_compute_loaner_out", string="Loaner with the customer")
    customer_status = fields.Char(compute="_compute_customer_status", string="Status for the customer")
    can_receive = fields.Boolean(compute="_compute_can", string="Can receive")
    can_diagnose = fields.Boolean(compute="_compute_can", string="Can diagnose")
    can_start_repair = fields.Boolean(compute="_compute_can", string="Can start a repair")
    can_exchange = fields.Boolean(compute="_compute_can", string="Can exchange")
    can_refund = fields.Boolean(compute="_compute_can", string="Can refund")
    can_reject = fields.Boolean(compute="_compute_can", string="Can return unrepaired")
    can_return = fields.Boolean(compute="_compute_can", string="Can return")
    can_cancel = fields.Boolean(compute="_compute_can", string="Can cancel")
    can_lend_loaner = fields.Boolean(compute="_compute_can", string="Can lend a loaner")
    can_override = fields.Boolean(compute="_compute_can", string="Can override the verdict")
    vendor_claim_ids = fields.One2many(
        "service.vendor.claim", "rma_id", string="Vendor claims", groups=VENDOR_READERS,
    )
    vendor_claim_count = fields.Integer(
        compute="_compute_vendor_claim_count", string="Vendor claim count", groups=VENDOR_READERS,
    )
    at_vendor_since = fields.Date(
        compute="_compute_at_vendor_since", store=True, string="At the vendor since",
        help="The unit is with its vendor under the manufacturer's warranty since this day.",
    )
    vendor_claim_open = fields.Boolean(
        compute="_compute_vendor_claim_status", string="Claimed from the vendor",
    )
    unit_kept_by_vendor = fields.Boolean(
        compute="_compute_vendor_claim_status", string="Unit kept by the vendor",
        help="The vendor replaced the unit or credited us for it: the customer's unit does not come back.",
    )
    vendor_id = fields.Many2one(
        "res.partner", compute="_compute_vendor_warranty", groups=VENDOR_READERS,
        help="Who the unit would be claimed from: the partner of the receipt that brought the serial in, "
        "else the product's main vendor.",
    )
    vendor_warranty_end = fields.Date(
        compute="_compute_vendor_warranty", string="Vendor warranty until",
        help="The end of the manufacturer's warranty (the policy's manufacturer months) for the vendor: "
        "counted from the day we received the unit from the vendor, else from the customer's warranty start.",
    )
    vendor_covered = fields.Boolean(compute="_compute_vendor_warranty", string="Covered by the vendor")
    can_claim_vendor = fields.Boolean(compute="_compute_can_claim_vendor", string="Can claim from the vendor")

    _name_company_unique = models.Constraint(
        "UNIQUE (name, company_id)", "An RMA number must be unique per company."
    )
    # One open RMA per unit, settled by PostgreSQL when two scanners race.
    _lot_open_unique = models.UniqueIndex(
        f"(lot_id) WHERE state IN ({states_sql(OPEN_STATES)})"
    )

    @api.depends("warranty_id.picking_id", "company_id")
    def _compute_warehouse_id(self):
        for rma in self:
            delivered_by = rma.warranty_id.sudo().picking_id.picking_type_id.warehouse_id
            if delivered_by and delivered_by.company_id == rma.company_id:
                rma.warehouse_id = delivered_by
            elif not rma.warehouse_id or rma.warehouse_id.company_id != rma.company_id:
                rma.warehouse_id = self.env.user.with_company(rma.company_id)._get_default_warehouse_id()

    @api.depends("warranty_id.policy_id", "product_id")
    def _compute_policy_id(self):
        for rma in self:
            rma.policy_id = rma.warranty_id.policy_id or rma.product_id._get_warranty_policy().get(
                rma.product_id
            )

    @api.depends("priority")
    def _compute_priority_rank(self):
        ranks = {"normal": 0, "high": 1, "urgent": 2}
        for rma in self:
            rma.priority_rank = ranks[rma.priority]

    @api.depends("lot_id", "warranty_id.state", "warranty_id.date_end", "exclusion_ids", "date_intake")
    def _compute_policy_verdict(self):
        for rma in self:
            if not rma.lot_id:
                rma.policy_remedy, rma.policy_covered = "none", False
                rma.policy_reason_code, rma.policy_reason_params = False, False
                continue
            verdict = rma.lot_id.get_service_coverage(
                fields.Date.context_today(rma, rma.date_intake or fields.Datetime.now()),
                rma.exclusion_ids.mapped("code"),
            )
            rma.policy_remedy = verdict["remedy"]
            rma.policy_covered = verdict["covered"]
            rma.policy_reason_code = verdict["reason"]
            rma.policy_reason_params = verdict["reason_params"]

    @api.depends_context("lang")
    @api.depends("policy_reason_code", "policy_reason_params")
    def _compute_policy_reason(self):
        Lot = self.env["stock.lot"]
        for rma in self:
            rma.policy_reason = Lot._render_verdict_reason(
                rma.policy_reason_code, rma.policy_reason_params
            )

    @api.depends("policy_remedy", "policy_covered", "remedy_override")
    def _compute_remedy(self):
        for rma in self:
            if rma.remedy_override:
                rma.remedy = rma.remedy_override
                rma.covered = remedy_is_covered(rma.remedy_override)
            else:
                rma.remedy = "rejected" if rma.policy_remedy in (False, "none") else rma.policy_remedy
                rma.covered = rma.policy_covered

    @api.depends(
        "date_intake", "priority", "company_id", "policy_id.support_calendar_id",
        "policy_id.response_hours_urgent", "policy_id.response_hours_high",
        "policy_id.response_hours_normal", "policy_id.resolution_hours_urgent",
        "policy_id.resolution_hours_high", "policy_id.resolution_hours_normal",
    )
    def _compute_deadlines(self):
        """Deadlines in working hours of the policy's support calendar (the
        same clock as the service desk's requests), in the company's time
        zone. RMAs scanned together share their start, so each distinct
        (calendar, company, start, hours) is planned once."""
        planned = {}
        for rma in self:
            policy = rma.policy_id.sudo()
            for fname, prefix in (("response_deadline", "response"), ("resolution_deadline", "resolution")):
                hours = policy[f"{prefix}_hours_{rma.priority}"] if policy else 0
                key = (policy.support_calendar_id.id, rma.company_id.id, rma.date_intake, hours)
                if key not in planned:
                    planned[key] = policy._service_deadline(rma.date_intake, hours, rma.company_id)
                rma[fname] = planned[key]

    @api.depends_context("uid")
    @api.depends("response_deadline", "resolution_deadline", "date_responded", "date_resolved", "state")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for rma in self:
            rma.is_overdue = rma.state in OPEN_STATES and bool(
                (not rma.date_responded and rma.response_deadline and rma.response_deadline < now)
                or (not rma.date_resolved and rma.resolution_deadline and rma.resolution_deadline < now)
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue RMAs."))
        now = fields.Datetime.now()
        overdue = Domain("state", "in", OPEN_STATES) & (
            (Domain("date_responded", "=", False) & Domain("response_deadline", "<", now))
            | (Domain("date_resolved", "=", False) & Domain("resolution_deadline", "<", now))
        )
        return overdue if (operator == "=") == value else ~overdue

    @api.depends("expected_repair_hours", "policy_id.loaner_threshold_hours", "loan_ids.state", "state")
    def _compute_loaner_suggested(self):
        for rma in self:
            rma.loaner_suggested = (
                rma.state in OPEN_STATES
                and rma.expected_repair_hours > (rma.policy_id.loaner_threshold_hours or 0)
                and not rma.loan_ids.filtered(lambda loan: loan.state in ("draft", "out"))
            )

    @api.depends("loan_ids.state")
    def _compute_loaner_out(self):
        for rma in self:
            rma.loaner_out = any(loan.state == "out" for loan in rma.loan_ids)

    @api.depends_context("uid")
    @api.depends("state", "remedy", "receipt_picking_id", "return_picking_id", "exchange_picking_id",
                 "loan_ids.state", "vendor_claim_open", "unit_kept_by_vendor")
    def _compute_can(self):
        """The RMA's state machine, written once: the buttons show what these
        say, and every action refuses what they refuse. While a vendor claim
        is open the unit is the vendor's business; once the vendor kept it
        (replaced or credited), there is nothing left to repair or return, and
        the customer gets a unit from stock (Exchange, whatever the verdict)."""
        manager = self.env.su or self.env.user.has_group(MANAGER_GROUP)
        for rma in self:
            state, remedy = rma.state, rma.remedy
            loan_out = any(loan.state == "out" for loan in rma.loan_ids)
            away, kept = rma.vendor_claim_open, rma.unit_kept_by_vendor
            rma.can_receive = state == "draft" and not rma.receipt_picking_id
            rma.can_diagnose = state == "received" and not away
            rma.can_start_repair = (
                state == "diagnosed" and remedy in ACTION_VERDICTS["start_repair"] and not (away or kept)
            )
            rma.can_exchange = (
                state in ("received", "diagnosed") and (remedy in ACTION_VERDICTS["exchange"] or kept)
                and not rma.exchange_picking_id and not away
            )
            rma.can_refund = (
                state in ("received", "diagnosed") and remedy in ACTION_VERDICTS["refund"] and not away
                and not rma.exchange_picking_id
            )
            rma.can_reject = state in ("received", "diagnosed") and not (away or kept)
            rma.can_return = state == "ready" and not rma.return_picking_id
            rma.can_cancel = state in ("draft", "received", "diagnosed") and not loan_out and not away
            rma.can_lend_loaner = state in OPEN_STATES and not any(
                loan.state in ("draft", "out") for loan in rma.loan_ids
            )
            rma.can_override = manager and state in OPEN_STATES

    def _compute_vendor_claim_count(self):
        counts = dict(self.env["service.vendor.claim"]._read_group(
            [("rma_id", "in", self.ids)], ["rma_id"], ["__count"]
        ))
        for rma in self:
            rma.vendor_claim_count = counts.get(rma, 0)

    @api.depends("vendor_claim_ids.state", "vendor_claim_ids.date_sent")
    def _compute_at_vendor_since(self):
        for rma in self:
            out = rma.vendor_claim_ids.filtered(lambda claim: claim.state == "at_vendor")
            rma.at_vendor_since = out[:1].date_sent

    @api.depends("vendor_claim_ids.state", "vendor_claim_ids.outcome")
    def _compute_vendor_claim_status(self):
        # Whoever reads the RMA (a customer in the portal too) may know where
        # its unit is; the claims themselves are staff's.
        for rma in self:
            claims = rma.sudo().vendor_claim_ids
            rma.vendor_claim_open = any(claim.state in OPEN_CLAIM_STATES for claim in claims)
            rma.unit_kept_by_vendor = any(
                claim.state == "done" and claim.outcome in KEPT_OUTCOMES for claim in claims
            )

    @api.depends("lot_id", "company_id", "policy_id.manufacturer_months", "warranty_id.date_start")
    def _compute_vendor_warranty(self):
        """Whether the vendor's own warranty still covers the unit today: the
        policy's manufacturer warranty, counted from the day the unit first
        came in from a vendor (its receipt), or from the customer's warranty
        start for a unit that came into stock another way; and a vendor to
        claim from. One query per company for the receipts."""
        today = fields.Date.context_today(self)
        for company, rmas in self.grouped("company_id").items():
            lots = rmas.lot_id
            receipts = lots._service_vendor_receipts()
            vendors = lots._service_vendors(company, receipts)
            for rma in rmas:
                months = rma.policy_id.manufacturer_months
                receipt = receipts.get(rma.lot_id)
                since = (fields.Date.context_today(rma, receipt.date) if receipt
                         else rma.sudo().warranty_id.date_start)
                end = add_months(since, months) - timedelta(days=1) if months > 0 and since else False
                rma.vendor_id = vendors.get(rma.lot_id, False)
                rma.vendor_warranty_end = end
                rma.vendor_covered = bool(rma.lot_id in vendors and end and end >= today)

    @api.depends("state", "vendor_covered", "exchange_picking_id", "vendor_claim_ids.state")
    def _compute_can_claim_vendor(self):
        """One claim per RMA (a cancelled one aside), on a unit in the shop
        that the vendor's warranty covers; apart from ``_compute_can``, so the
        other actions' checks do not look for the unit's vendor."""
        for rma in self:
            rma.can_claim_vendor = (
                rma.state in ("received", "diagnosed") and rma.vendor_covered and not rma.exchange_picking_id
                and not rma.sudo().vendor_claim_ids.filtered(lambda claim: claim.state != "cancel")
            )

    @api.depends("state", "date_received", "date_intake", "at_vendor_since")
    def _compute_customer_status(self):
        for rma in self:
            rma.customer_status = rma._customer_status_text()

    def _compute_access_url(self):
        for rma in self:
            rma.access_url = f"/my/returns/{rma.id}"

    @api.model_create_multi
    def create(self, vals_list):
        to_name = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        if to_name:
            sequence = self.env["ir.sequence"]
            for vals in to_name:
                vals["name"] = sequence.next_by_code("service.rma") or "/"
        return super().create(vals_list)

    def _decided_fields(self):
        how = self.env._("Use the RMA's buttons (receive, diagnose, repair, return, override).")
        hints = dict.fromkeys(DECIDED_FIELDS, how)
        billing = self.env._("Billing fields follow the repair's quotation and its invoice.")
        hints.update(dict.fromkeys(("bill_id", "billing_state", "sale_order_id"), billing))
        if any(rma.state != "draft" or rma.receipt_picking_id for rma in self):
            hints["warehouse_id"] = self.env._("The warehouse is fixed once the unit's receipt is made.")
        if any(rma.state != "draft" for rma in self):
            hints.update(dict.fromkeys(INTAKE_FIELDS, self.env._(
                "The unit, customer and certificate are fixed once the unit is on its way in: "
                "cancel this RMA and scan the unit again."
            )))
        if any(rma.state not in DIAGNOSIS_STATES for rma in self):
            hints.update(dict.fromkeys(DIAGNOSIS_FIELDS, self.env._(
                "The exclusions found are fixed once the repair has started: ask an administrator "
                "to override the verdict."
            )))
        return hints

    def _decided_create_fields(self):
        # A caller creates an RMA (by hand or by scanning); its state, stamps
        # and verdict are the RMA's own from the first moment.
        related = ("name", "product_id", "commercial_partner_id")
        return {name: None for name in DECIDED_FIELDS if name not in related} | {"state": ("draft",)}

    # -- intake ------------------------------------------------------------

    @api.model
    def scan(self, code):
        """The repair shop's scan: a label URL, a token or a serial. Returns the
        unit's open RMA, or a new draft one pre-filled from its certificate, as
        ``{rma_id, name, state, created, serial, product, verdict}`` (``_scan_answer``).
        Two workers scanning the same unit end with one RMA: the unique index
        refuses the second, whose request Odoo retries and then finds the first.
        """
        self.check_access("create")
        found, lot, product_name = self._scan_lookup(code)
        if found:
            return found
        if not lot:
            # Not answerable by the exact look-up: the full rules decide.
            lot = self.env["stock.lot"]._find_by_service_code(code)
            if not lot:
                raise UserError(
                    self.env._("No unit matches %(code)s: scan its QR label or type its serial number.",
                               code=(code or "").strip()[:80])
                )
            rma = self.search([("lot_id", "=", lot.id), ("state", "in", OPEN_STATES)], limit=1)
            if rma:
                return rma._scan_result()
            product_name = lot.product_id.display_name
        if not lot.sudo().warranty_ids:
            raise UserError(
                self.env._("%(serial)s has no warranty certificate, so its customer is unknown: "
                           "issue its warranty first, or create the RMA by hand.", serial=lot.name)
            )
        try:
            with self.env.cr.savepoint():
                rma = self.create(self._prepare_scan_vals(lot))
                self.env.flush_all()
        except UniqueViolation as error:
            raise ConcurrencyError(
                f"another scan opened an RMA for lot {lot.id} at the same time"
            ) from error
        return rma._scan_result(created=True, product_name=product_name)

    def _scan_lookup(self, code):
        """The common scans answered by one indexed query, as ``(found, lot,
        product_name)``: ``found`` is the unit's open RMA as ``scan`` returns
        it; otherwise ``lot`` is the unit the code designates when the exact
        look-up settles it (one serial-tracked unit of one of the user's
        companies), with its product's display name. ``(None, None, None)``
        sends the caller to the full look-up rules. The RMAs go through
        ``_search``, so access rules apply as to any read."""
        Lot = self.env["stock.lot"]
        exact = Lot._service_code_exact(code)
        if exact is None:
            return None, None, None
        column, value = exact
        # The query reads the tables: what this transaction changed must be
        # in them first (nothing to write, no query).
        self.flush_model(["name", "state", "lot_id", "covered", "remedy", "remedy_override", "policy_remedy",
                          "policy_reason_code", "policy_reason_params"])
        Lot.flush_model(["name", "company_id", "product_id", column])
        # The unit first (a materialized CTE), then its open RMA by its index:
        # one plan, cheap to make and the same whether the unit has an open
        # RMA or not, whatever the planner's statistics say.
        rows = self.env.execute_query(SQL(
            """
            WITH lot AS MATERIALIZED (
                SELECT id, name, company_id, product_id FROM stock_lot WHERE %(column)s = %(value)s LIMIT 1
            )
            SELECT rma.id, rma.name, rma.state, rma.covered, rma.remedy, rma.remedy_override IS NOT NULL,
                   rma.policy_remedy, rma.policy_reason_code, rma.policy_reason_params,
                   lot.id, lot.name, lot.company_id, template.tracking,
                   product.id, product.default_code, product.combination_indices,
                   COALESCE(template.name->>%(lang)s, template.name->>'en_US'),
                   (SELECT count(*) FROM stock_lot same WHERE same.name = lot.name)
              FROM lot
              JOIN product_product product ON product.id = lot.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
              LEFT JOIN LATERAL (
                  SELECT candidate.id, candidate.name, candidate.state, candidate.covered, candidate.remedy,
                         candidate.remedy_override, candidate.policy_remedy, candidate.policy_reason_code,
                         candidate.policy_reason_params
                    FROM service_rma candidate
                   WHERE candidate.lot_id = lot.id AND candidate.id IN (%(rmas)s)
                   LIMIT 1
              ) rma ON TRUE
            """,
            column=SQL.identifier(column), value=value, rmas=self._open_rmas_subselect(),
            lang=self.env.lang or "en_US",
        ))
        if not rows:
            return None, None, None
        (rma_id, name, state, covered, remedy, overridden, policy_remedy, reason_code, reason_params,
         lot_id, serial,
         lot_company_id, tracking, product_id, default_code, variant, product_name, same_serial) = rows[0]
        if tracking != "serial" or same_serial != 1:
            return None, None, None
        if variant:  # its name carries attribute values: let the ORM say it
            product_name = self.env["product.product"].browse(product_id).display_name
        elif default_code:
            product_name = f"[{default_code}] {product_name}"
        if not rma_id:
            if lot_company_id and lot_company_id not in self.env.companies.ids:
                return None, None, None
            return None, Lot.browse(lot_id), product_name
        return self._scan_answer(
            rma_id=rma_id, name=name, state=state, created=False, serial=serial, product=product_name,
            covered=covered, remedy=remedy, overridden=overridden, policy_remedy=policy_remedy,
            reason_code=reason_code, reason_params=reason_params,
        ), None, None

    @api.model
    @tools.ormcache(
        "self.env.uid", "self.env.su", "tuple(self.env['ir.rule']._compute_domain_context_values())"
    )
    def _open_rmas_subselect(self):
        """``SELECT id`` of the open RMAs this user may read, access rules
        included. Cached like the rules it is made of (a change of rules
        clears it), so a scan does not rebuild it."""
        return self._search([("state", "in", OPEN_STATES)]).subselect()

    def _prepare_scan_vals(self, lot):
        warranty = lot.warranty_id
        partner = warranty.partner_id if warranty and warranty.state in ("active", "expired") else False
        return {
            "lot_id": lot.id,
            "partner_id": (partner or lot.sudo().warranty_ids[:1].partner_id).id or False,
            "warranty_id": warranty.id or False,
            "company_id": (warranty.company_id or lot.company_id or self.env.company).id,
        }

    def _scan_result(self, created=False, product_name=None):
        self.ensure_one()
        return self._scan_answer(
            rma_id=self.id, name=self.name, state=self.state, created=created, serial=self.lot_id.name,
            product=product_name or self.product_id.display_name, covered=self.covered,
            remedy=self.remedy, overridden=bool(self.remedy_override), policy_remedy=self.policy_remedy,
            reason_code=self.policy_reason_code, reason_params=self.policy_reason_params,
        )

    @api.model
    def _scan_answer(self, *, rma_id, name, state, created, serial, product, covered, remedy, overridden,
                     policy_remedy, reason_code, reason_params):
        """The one shape of a scan's answer, whichever look-up found the RMA.
        ``verdict`` is the RMA's decision, as ``stock.lot.get_service_coverage``
        gives a unit's: its ``remedy`` (overrides included; ``rejected`` when
        nothing is granted), whether it is ``covered`` (free to the customer),
        the ``reason`` code and ``reason_text`` in the caller's language;
        ``overridden`` says a manager replaced the policy's remedy, which
        ``policy_remedy`` keeps."""
        return {
            "rma_id": rma_id,
            "name": name,
            "state": state,
            "created": created,
            "serial": serial,
            "product": product,
            "verdict": {
                "remedy": remedy,
                "covered": bool(covered),
                "reason": reason_code or "",
                "reason_text": self.env["stock.lot"]._render_verdict_reason(reason_code, reason_params),
                "overridden": bool(overridden),
                "policy_remedy": policy_remedy,
            },
        }

    # -- lifecycle ---------------------------------------------------------

    def _check_can(self, action, label):
        """Refuse ``action`` (its ``can_<action>`` field) where it is not
        possible, naming the RMAs and their state; the caller's write access
        to them is checked too, as every action writes them."""
        wrong = self.filtered(lambda rma: not rma[f"can_{action}"])
        away = wrong.filtered("vendor_claim_open")
        if away:
            raise UserError(self.env._(
                "%(action)s is not possible for %(rmas)s: the unit is claimed from its vendor. "
                "Finish or cancel the vendor claim first.",
                action=label, rmas=", ".join(away.mapped("name")),
            ))
        verdicts = ACTION_VERDICTS.get(action)
        wrong_verdict = verdicts and wrong.filtered(lambda rma: rma.remedy not in verdicts)
        if wrong_verdict:
            names = ", ".join(wrong_verdict.mapped("name"))
            raise UserError({
                "start_repair": self.env._("The verdict of %(rmas)s is not a repair.", rmas=names),
                "exchange": self.env._("The verdict of %(rmas)s is not an exchange.", rmas=names),
                "refund": self.env._("The verdict of %(rmas)s is not a refund.", rmas=names),
            }[action])
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            labels = dict(self._fields["remedy"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(action)s is not possible for %(rmas)s (state %(state)s, verdict %(verdict)s).",
                    action=label,
                    rmas=", ".join(wrong.mapped("name")),
                    state=states[wrong[0].state],
                    verdict=labels.get(wrong[0].remedy, "-"),
                )
            )
        self.check_access("write")

    def action_create_receipt(self):
        """An incoming transfer of the unit from the customer into the
        warehouse's repair location; validating it marks the RMA received."""
        self._check_can("receive", self.env._("Receiving"))
        for rma in self:
            picking = rma._service_create_transfer("receipt")
            with deciding():
                rma.receipt_picking_id = picking
        return self.receipt_picking_id.get_formview_action() if len(self) == 1 else True

    def _on_receipt_done(self):
        with deciding():
            self.write({"state": "received", "date_received": fields.Datetime.now()})

    def action_diagnose(self):
        """Record the diagnosis: the verdict is recomputed from the certificate
        and the exclusions found; the response clock stops."""
        self._check_can("diagnose", self.env._("Diagnosis"))
        now = fields.Datetime.now()
        with deciding():
            for rma in self:
                rma.write({"state": "diagnosed", "date_responded": rma.date_responded or now})

    def action_start_repair(self):
        self._check_can("start_repair", self.env._("Starting a repair"))
        with deciding():
            repairs = self.env["repair.order"].create([rma._prepare_repair_vals() for rma in self])
            for rma, repair in zip(self, repairs):
                rma.write({"repair_id": repair.id, "state": "in_repair"})
        return repairs[:1].get_formview_action() if len(self) == 1 else True

    def _prepare_repair_vals(self):
        self.ensure_one()
        warehouse = self._get_warehouse()
        location = warehouse._get_rma_location()
        # The unit waits in the repair location; the parts come from where
        # Odoo's repair takes them (its operation type's source location,
        # normally the warehouse's stock), so ``location_id`` is left to it.
        return {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "picking_type_id": warehouse.repair_type_id.id,
            "product_location_src_id": location.id,
            "product_location_dest_id": location.id,
            "under_warranty": self.covered,
            "internal_notes": self.fault_description or False,
            "rma_id": self.id,
        }

    def _on_repair_done(self):
        with deciding():
            self.filtered(lambda r: r.state == "in_repair").write(
                {"state": "ready", "date_resolved": fields.Datetime.now()}
            )

    def action_reject(self):
        """Not covered and not repaired: the unit goes back with the reason."""
        self._check_can("reject", self.env._("Rejecting"))
        now = fields.Datetime.now()
        for rma in self:
            with deciding():
                rma.write({
                    "state": "ready", "date_resolved": now, "date_responded": rma.date_responded or now,
                })
            rma.message_post(
                body=self.env._("Returned unrepaired: %(reason)s",
                                reason=rma.policy_reason or rma.sudo().override_reason or "-")
            )

    def action_create_return(self):
        """An outgoing transfer of the unit back to the customer; validating it
        closes the RMA."""
        self._check_can("return", self.env._("Returning"))
        for rma in self:
            picking = rma._service_create_transfer("return")
            with deciding():
                rma.return_picking_id = picking
        return self.return_picking_id.get_formview_action() if len(self) == 1 else True

    def _on_return_done(self):
        self._check_no_loaner_out()
        with deciding():
            self.write({"state": "done", "date_returned": fields.Datetime.now()})
        self._extend_warranty_by_downtime()

    def _check_no_loaner_out(self):
        out = self.filtered("loaner_out")
        if out:
            raise UserError(
                self.env._(
                    "%(rmas)s still has a loaner with the customer: receive the loaner back first.",
                    rmas=", ".join(out.mapped("name")),
                )
            )

    def _extend_warranty_by_downtime(self):
        """A covered repair extends the warranty by the days the customer was
        without the unit, when the policy says so."""
        vals_list = []
        for rma in self:
            policy = rma.warranty_id.policy_id
            if not (rma.covered and rma.remedy == "repair" and policy.extension_rule == "downtime"):
                continue
            if not (rma.date_received and rma.date_returned):
                continue
            days = (rma.date_returned.date() - rma.date_received.date()).days
            if days > 0:
                vals_list.append({
                    "warranty_id": rma.warranty_id.id,
                    "days": days,
                    "reason": self.env._("%(rma)s: %(days)s days without the unit", rma=rma.name, days=days),
                })
        if vals_list:
            self.env["service.warranty.extension"].sudo().create(vals_list)

    def action_cancel(self):
        self._check_no_loaner_out()
        self._check_can("cancel", self.env._("Cancelling"))
        with deciding():
            self.write({"state": "cancel"})

    def action_lend_loaner(self):
        self.ensure_one()
        self._check_can("lend_loaner", self.env._("Lending a loaner"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lend a loaner"),
            "res_model": "service.loan",
            "view_mode": "form",
            "views": [(self.env.ref("service_rma.service_loan_view_form_lend").id, "form")],
            "target": "new",
            "context": {
                "default_rma_id": self.id,
                "default_lot_id": self.env["service.loan"]._find_available_unit(self.product_id).id,
            },
        }

    def action_receive_loaner(self):
        self.ensure_one()
        return self.loan_ids.filtered(lambda loan: loan.state == "out").action_receive_back()

    def action_open_override(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override verdict"),
            "res_model": "service.rma.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_rma_id": self.id},
        }

    def _override_remedy(self, remedy, reason):
        """The manager's override of the verdict, with a reason, logged in the
        chatter; the repair's quotation follows (free, at cost or at the
        pricelist's price). The one way ``remedy_override`` changes."""
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only after-sales administrators can override a verdict."))
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the verdict is overridden."))
        labels = dict(self._fields["remedy"]._description_selection(self.env))
        if remedy not in labels:
            raise UserError(self.env._("Unknown verdict %(verdict)s.", verdict=remedy))
        self._check_can("override", self.env._("Overriding the verdict"))
        for rma in self:
            before = labels.get(rma.remedy, "-")
            with deciding():
                rma.write({"remedy_override": remedy, "override_reason": reason})
            # The repair follows the verdict: free under warranty, otherwise
            # quoted at cost or at the pricelist's price.
            repair = rma.repair_id.sudo()
            if repair and repair.under_warranty != rma.covered:
                repair.under_warranty = rma.covered
            elif repair:
                repair._service_price_quotation()
            rma.message_post(
                body=self.env._("Verdict overridden by %(user)s: %(before)s → %(after)s. Reason: %(reason)s",
                                user=self.env.user.name, before=before, after=labels[remedy], reason=reason)
            )

    def action_open_exchange(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Exchange the unit"),
            "res_model": "service.rma.exchange",
            "view_mode": "form",
            "target": "new",
            "context": {"default_rma_id": self.id},
        }

    def _exchange(self, replacement):
        """Ship ``replacement`` (a serial of the same product, in stock) to the
        customer; validating that transfer closes the RMA and moves the
        warranty to the replacement."""
        self.ensure_one()
        self._check_can("exchange", self.env._("Exchanging"))
        if replacement.product_id != self.product_id or replacement == self.lot_id:
            raise UserError(self.env._("The replacement must be another unit of %(product)s.",
                                       product=self.product_id.display_name))
        if replacement.is_loaner or not replacement._service_internal_location():
            raise UserError(self.env._("%(serial)s is not in stock.", serial=replacement.name))
        with deciding():
            self.replacement_lot_id = replacement
            picking = self._service_create_transfer("exchange")
            self.write({
                "exchange_picking_id": picking.id,
                "date_responded": self.date_responded or fields.Datetime.now(),
            })
        return picking

    def _on_exchange_done(self):
        """The replacement reached the customer: its certificate inherits the
        remaining term or starts anew (policy), the old one is replaced."""
        self._check_no_loaner_out()
        now = fields.Datetime.now()
        Warranty = self.env["service.warranty"].sudo()
        for rma in self:
            with deciding():
                rma._replace_warranty(Warranty)
                rma.write({"state": "done", "date_resolved": now, "date_returned": now})

    def _replace_warranty(self, Warranty):
        """The replacement's certificate (made, or its live one updated) and
        the old one marked replaced by it."""
        self.ensure_one()
        old = self.warranty_id
        new = Warranty.search(
            [("lot_id", "=", self.replacement_lot_id.id), ("state", "in", LIVE_STATES)], limit=1
        )
        vals = self._prepare_replacement_warranty_vals(old)
        if new:
            new.write(vals)
        else:
            new = Warranty.create(vals)
        if old.extension_days and old.policy_id.replacement_term == "remaining":
            new.extension_ids = [Command.create({
                "days": old.extension_days,
                "reason": self.env._("Inherited from %(name)s", name=old.name),
            })]
        if old:
            old.write({"state": "replaced", "replaced_by_id": new.id})
            old.message_post(body=self.env._("Replaced by %(serial)s (%(rma)s).",
                                             serial=self.replacement_lot_id.name, rma=self.name))

    def _prepare_replacement_warranty_vals(self, old):
        self.ensure_one()
        today = fields.Date.context_today(self)
        policy = old.policy_id or self.policy_id
        vals = {
            "lot_id": self.replacement_lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "policy_id": policy.id,
            "sale_line_id": old.sale_line_id.id,
            "invoice_ref": old.invoice_ref,
            "date_sale": old.date_sale or today,
            "origin": "manual",
            "state": "active",
        }
        if policy.replacement_term == "remaining":
            vals.update(date_delivery=old.date_delivery, date_install=old.date_install,
                        date_invoice=old.date_invoice)
        else:
            vals.update(date_delivery=today, date_install=False)
        return vals

    def action_refund(self):
        """Refund the unit (which we hold): a draft credit note against the
        original invoice, or a stand-alone draft one when none is linked; the
        certificate is voided and the RMA closed."""
        self._check_can("refund", self.env._("Refunding"))
        self._check_no_loaner_out()
        now = fields.Datetime.now()
        for rma in self:
            # The repair shop decides the refund; the credit note stays a draft
            # for finance to check and post, so it is made whatever the
            # clerk's accounting rights.
            credit_note = self.env["account.move"].sudo().with_company(rma.company_id).create(
                rma.sudo()._prepare_credit_note_vals()
            )
            rma.message_post(body=self.env._("Draft credit note %(move)s created for finance.",
                                             move=credit_note.display_name))
            with deciding():
                rma.warranty_id._void(self.env._("refunded by %(rma)s", rma=rma.name))
                rma.write({"credit_note_id": credit_note.id, "state": "done", "date_resolved": now,
                           "date_responded": rma.date_responded or now})
        return True

    def _prepare_credit_note_vals(self):
        self.ensure_one()
        sale_line = self.warranty_id.sale_line_id
        invoice = self.warranty_id.invoice_ids.filtered(lambda m: m.state == "posted")[:1]
        line = {
            "product_id": self.product_id.id,
            "quantity": 1,
            "name": self.env._("Refund of %(serial)s (%(rma)s)", serial=self.lot_id.name, rma=self.name),
        }
        if sale_line:
            line.update(price_unit=sale_line.price_unit, discount=sale_line.discount,
                        tax_ids=[Command.set(sale_line.tax_ids.ids)],
                        sale_line_ids=[Command.link(sale_line.id)])
        return {
            "move_type": "out_refund",
            "partner_id": (invoice.partner_id or self.partner_id).id,
            "company_id": self.company_id.id,
            "currency_id": (invoice.currency_id or sale_line.currency_id or self.company_id.currency_id).id,
            "reversed_entry_id": invoice.id or False,
            "invoice_origin": self.name,
            "ref": self.env._("Refund %(rma)s", rma=self.name),
            "invoice_line_ids": [Command.create(line)],
        }

    def action_view_credit_note(self):
        return self.credit_note_id.get_formview_action()

    def action_view_exchange(self):
        return self.exchange_picking_id.get_formview_action()

    def action_view_receipt(self):
        return self.receipt_picking_id.get_formview_action()

    def action_view_repair(self):
        return self.repair_id.get_formview_action()

    def action_view_return(self):
        return self.return_picking_id.get_formview_action()

    # -- vendor back-claims ------------------------------------------------

    def action_claim_vendor(self):
        """A claim of the unit from its vendor under the manufacturer's
        warranty, to send from its form."""
        self.ensure_one()
        self._check_can("claim_vendor", self.env._("Claiming from the vendor"))
        claim = self.env["service.vendor.claim"].create(self._prepare_vendor_claim_vals())
        return claim.get_formview_action()

    def _prepare_vendor_claim_vals(self):
        self.ensure_one()
        return {"rma_id": self.id}

    def action_view_vendor_claims(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("service_rma.service_vendor_claim_action")
        claims = self.vendor_claim_ids
        if len(claims) == 1:
            action.update(views=[(False, "form")], view_mode="form", res_id=claims.id)
        action["domain"] = [("rma_id", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    def _on_vendor_claim_done(self, claim):
        """What the vendor's answer means for the customer: a unit repaired
        free is ready to return, as after our own repair; a replacement
        serial goes to the customer as an exchange does (its delivery made
        now; validating it moves the certificate as the policy's replacement
        rule says and closes the RMA); a refusal leaves the RMA where it was,
        to go on under its own verdict; a credit note leaves the customer
        without their unit, to exchange from stock or refund."""
        self.ensure_one()
        now = fields.Datetime.now()
        name = claim.name
        if claim.outcome == "repaired":
            with deciding():
                self.write({
                    "state": "ready", "date_resolved": now, "date_responded": self.date_responded or now,
                })
            body = self.env._(
                "%(claim)s: the vendor repaired the unit free of charge; it is ready to return.", claim=name,
            )
        elif claim.outcome == "replaced":
            with deciding():
                self.replacement_lot_id = claim.replacement_lot_id
                picking = self._service_create_transfer("exchange")
                self.write({"exchange_picking_id": picking.id, "date_responded": self.date_responded or now})
            body = self.env._(
                "%(claim)s: the vendor replaced the unit by %(serial)s; its delivery to the customer is "
                "ready.",
                claim=name, serial=claim.replacement_lot_id.name,
            )
        elif claim.outcome == "refused":
            body = self.env._(
                "%(claim)s: the vendor refused the claim and sent the unit back; the RMA goes on under its "
                "own verdict.", claim=name,
            )
        else:
            body = self.env._(
                "%(claim)s: the vendor kept the unit and credited it (%(move)s); exchange the customer's "
                "unit from stock, or refund it.", claim=name, move=claim.sudo().credit_note_id.display_name,
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    # -- helpers -----------------------------------------------------------

    def _get_warehouse(self):
        self.ensure_one()
        return self.warehouse_id or self.env.user.with_company(self.company_id)._get_default_warehouse_id()

    # -- transfers (service.transfer.mixin) --------------------------------

    def _service_transfer_spec(self, kind):
        warehouse = self._get_warehouse()
        customer = self.partner_id.property_stock_customer
        if kind == "receipt":
            return warehouse, customer, warehouse._get_rma_location(), self.lot_id
        if kind == "return":
            return warehouse, warehouse._get_rma_location(), customer, self.lot_id
        if kind == "exchange":
            replacement = self.replacement_lot_id
            return warehouse, replacement._service_internal_location(), customer, replacement
        return super()._service_transfer_spec(kind)

    def _service_move_link(self):
        return {"service_rma_id": self.id}

    def _service_partner(self):
        return self.partner_id

    def _customer_status_text(self):
        self.ensure_one()
        if self.at_vendor_since and self.state in ("received", "diagnosed"):
            # Where the unit is, never whom it is with.
            return self.env._("At the vendor since %(date)s", date=self.at_vendor_since)
        date = fields.Date.context_today(self, self.date_received or self.date_intake)
        texts = {
            "draft": self.env._("Return announced on %(date)s", date=date),
            "received": self.env._("Received for service on %(date)s", date=date),
            "diagnosed": self.env._("Diagnosed, in service since %(date)s", date=date),
            "in_repair": self.env._("In repair since %(date)s", date=date),
            "ready": self.env._("Ready to be returned"),
            "done": self.env._("Returned"),
            "cancel": self.env._("Cancelled"),
        }
        return texts[self.state]

    @api.model
    def _cron_sla_and_loaners(self):
        """Every hour: an activity for the responsible of RMAs whose deadline
        is within the hour (once), and for overdue loans."""
        soon = fields.Datetime.now() + timedelta(hours=1)
        near = self.search([
            ("state", "in", OPEN_STATES),
            ("sla_warned", "=", False),
            "|",
            "&", ("date_responded", "=", False), ("response_deadline", "<=", soon),
            "&", ("date_resolved", "=", False), ("resolution_deadline", "<=", soon),
        ])
        self.env["mail.activity"]._create_todos(
            near, lambda rma: self.env._("SLA deadline of %(name)s is near", name=rma.name)
        )
        near.write({"sla_warned": True})
        loans = self.env["service.loan"].search(
            [("state", "=", "out"), ("date_due", "<", fields.Date.context_today(self)),
             ("overdue_warned", "=", False)]
        )
        self.env["mail.activity"]._create_todos(
            loans.rma_id, lambda rma: self.env._("The loaner of %(name)s is overdue", name=rma.name)
        )
        loans.write({"overdue_warned": True})
        return {"sla": len(near), "loans": len(loans)}
