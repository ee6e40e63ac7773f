from odoo import api, fields, models

from ..rules import Terms


class ServiceWarrantyPolicy(models.Model):
    _name = "service.warranty.policy"
    _description = "Warranty Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the policy between companies.",
    )
    warranty_months = fields.Integer(
        string="Warranty (months)", default=12, required=True, tracking=True
    )
    manufacturer_months = fields.Integer(
        string="Manufacturer warranty (months)",
        tracking=True,
        help="When the manufacturer's warranty is longer than ours, it is the one that applies.",
    )
    start_on = fields.Selection(
        [
            ("delivery", "Delivery"),
            ("invoice", "Invoice"),
            ("installation", "Installation"),
        ],
        string="Warranty starts on",
        default="delivery",
        required=True,
        tracking=True,
        help="Invoice: the invoice date, the delivery date until the unit is invoiced.\n"
        "Installation: the installation date, at the latest the delivery date plus the grace period.",
    )
    install_grace_days = fields.Integer(
        string="Installation grace (days)",
        default=90,
        help="When the warranty starts on installation and none is recorded within this many "
        "days of delivery, it starts at the end of this period.",
    )
    refund_days = fields.Integer(
        string="Refund window (days)",
        help="Days during which a faulty unit is refunded, counted as 'Windows count from' says. "
        "0: no refund window.",
    )
    exchange_days = fields.Integer(
        string="Exchange window (days)",
        help="Days during which a faulty unit is exchanged, counted as 'Windows count from' says. "
        "0: no exchange window.",
    )
    windows_from = fields.Selection(
        [("delivery", "Delivery"), ("start", "Warranty start")],
        string="Windows count from",
        compute="_compute_windows_from",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        copy=False,
        tracking=True,
        help="What the refund and exchange windows count from. Delivery: the day the customer "
        "received the unit. Warranty start: for installed systems, the installation handover "
        "('7 days from installation'). Follows 'Warranty starts on' until you choose.",
    )
    extension_rule = fields.Selection(
        [("none", "No extension"), ("downtime", "Extend by the days without the unit")],
        string="After a repair",
        default="none",
        required=True,
    )
    replacement_term = fields.Selection(
        [("remaining", "Inherits the remaining term"), ("new", "Gets a new full term")],
        string="A replacement unit",
        default="remaining",
        required=True,
    )
    post_warranty_mode = fields.Selection(
        [
            ("at_cost", "Repairs billed at cost"),
            ("list_price", "Repairs billed at list price"),
            ("none", "No service after the warranty"),
        ],
        string="After the warranty",
        default="at_cost",
        required=True,
    )
    void_on_return = fields.Boolean(
        string="Void when the unit is returned",
        help="Void the certificate when the customer returns the unit through a return transfer "
        "(refunds). When unchecked the certificate stays as it is.",
    )
    loaner_threshold_hours = fields.Float(
        string="Loaner after (hours)",
        default=8.0,
        help="A customer gets a loaner unit when the repair is expected to take longer than this.",
    )
    response_hours_urgent = fields.Float(string="Urgent: respond within (h)", default=1.0)
    response_hours_high = fields.Float(string="Serious: respond within (h)", default=2.0)
    response_hours_normal = fields.Float(string="Normal: respond within (h)", default=24.0)
    resolution_hours_urgent = fields.Float(string="Urgent: resolve within (h)", default=8.0)
    resolution_hours_high = fields.Float(string="Serious: resolve within (h)", default=24.0)
    resolution_hours_normal = fields.Float(string="Normal: resolve within (h)", default=72.0)
    exclusion_ids = fields.Many2many(
        "service.warranty.exclusion",
        string="Exclusions",
        help="Findings that void the warranty under this policy.",
    )
    reminder_days = fields.Integer(
        string="Remind before end (days)",
        default=30,
        help="Schedule an activity this many days before a certificate ends. 0: no reminder.",
    )
    terms_text = fields.Html(
        string="Terms printed on the card", translate=True, sanitize_overridable=True
    )
    warranty_count = fields.Integer(compute="_compute_warranty_count", string="Certificate count")

    _warranty_months_positive = models.Constraint(
        "CHECK (warranty_months >= 0 AND manufacturer_months >= 0)",
        "Warranty terms cannot be negative.",
    )
    _windows_positive = models.Constraint(
        "CHECK (refund_days >= 0 AND exchange_days >= 0 AND install_grace_days >= 0 "
        "AND reminder_days >= 0)",
        "Windows, grace periods and reminders are counted in days and cannot be negative.",
    )

    @api.depends("start_on")
    def _compute_windows_from(self):
        for policy in self:
            policy.windows_from = "start" if policy.start_on == "installation" else "delivery"

    def _compute_warranty_count(self):
        counts = dict(
            self.env["service.warranty"]._read_group(
                [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.warranty_count = counts.get(policy, 0)

    def action_view_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_warranty.service_warranty_action"
        )
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id}
        return action

    def _get_terms(self):
        """The policy as the value object the pure rules read."""
        self.ensure_one()
        return Terms(
            warranty_months=self.warranty_months,
            manufacturer_months=self.manufacturer_months,
            start_on=self.start_on,
            install_grace_days=self.install_grace_days,
            refund_days=self.refund_days,
            exchange_days=self.exchange_days,
            windows_from=self.windows_from,
            post_warranty_mode=self.post_warranty_mode,
            exclusion_codes=frozenset(self.exclusion_ids.mapped("code")),
        )
