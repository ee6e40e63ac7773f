import uuid
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

REPORT_FREQUENCIES = [("none", "No periodic report"), ("monthly", "Monthly"), ("quarterly", "Quarterly")]
MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3}
SLA_CLOCKS = ("response_sla", "arrival_sla", "resolution_sla")
# A rating of 4 or 5 out of 5 is a satisfied customer (Odoo's "top" ratings).
SATISFIED_RATING = 4
# Figures and state are the server's: computed from the period's records, then
# the report is sent as it stands.
FIGURE_FIELDS = (
    "request_count", "urgent_count", "serious_count", "normal_count", "sla_met_count", "sla_missed_count",
    "sla_rate", "response_sla_rate", "arrival_sla_rate", "resolution_sla_rate", "repair_count",
    "visit_count", "inspection_count", "checklist_count", "finding_count", "rating_count", "rating_avg",
    "satisfied_rate", "part_ids",
)
DECIDED_FIELDS = (
    "state", "date_sent", "contract_id", "period_start", "period_end", "contact_id", *FIGURE_FIELDS,
)


def period_of(frequency, day):
    """The report period (first day, last day) of ``frequency`` (monthly or
    quarterly, calendar months and quarters) that contains ``day``."""
    months = MONTHS_PER_PERIOD[frequency]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    next_month = first_month + months
    following = date(day.year + (next_month - 1) // 12, (next_month - 1) % 12 + 1, 1)
    return start, following - timedelta(days=1)


def previous_period(frequency, day):
    """The last period of ``frequency`` that ended before ``day``."""
    start, _end = period_of(frequency, day)
    return period_of(frequency, start - timedelta(days=1))


def rate(met, total):
    return round(100.0 * met / total, 1) if total else 0.0


class ServiceContractReport(models.Model):
    """The periodic service report (服务报告) of a maintenance contract to its
    customer's contact: for one period, the requests by severity, how many
    SLA clocks were met, the repairs and the parts they replaced, the visits
    and inspections with their findings, the typical cases the engineer picked
    and the customer's satisfaction. A PDF in the contact's language, e-mailed
    through the mail queue and shown in the customer's portal.

    One report per contract and period (a unique index): the daily cron makes
    the due ones once, and 'Generate report' on the contract reopens the
    current period's report instead of making a second one."""

    _name = "service.contract.report"
    _description = "Periodic Service Report"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "service.decided.mixin"]
    _order = "period_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, string="Report")
    contract_id = fields.Many2one(
        "service.contract", required=True, index=True, ondelete="cascade", readonly=True, check_company=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Customer")
    commercial_partner_id = fields.Many2one(
        related="contract_id.commercial_partner_id", store=True, index=True, string="Customer company",
    )
    contact_id = fields.Many2one(
        "res.partner", string="Sent to", readonly=True,
        help="The contract's report contact when the report was made: who gets it, in their language.",
    )
    user_id = fields.Many2one(related="contract_id.user_id", string="Engineer")
    period_start = fields.Date(required=True, readonly=True)
    period_end = fields.Date(required=True, readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("sent", "Sent")], default="draft", required=True, readonly=True, copy=False,
        tracking=True, index=True,
    )
    date_sent = fields.Datetime(string="Sent on", readonly=True, copy=False)
    typical_request_ids = fields.Many2many(
        "service.request", "service_contract_report_request_rel", "report_id", "request_id",
        string="Typical cases", check_company=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id), "
        "('date_request', '>=', period_start)]",
        help="The cases of the period the engineer presents to the customer, with their fault and "
        "resolution.",
    )
    summary = fields.Html(string="Engineer's summary", help="Printed at the top of the report.")

    request_count = fields.Integer(string="Requests", readonly=True)
    urgent_count = fields.Integer(string="Urgent", readonly=True)
    serious_count = fields.Integer(string="Serious", readonly=True)
    normal_count = fields.Integer(string="Normal", readonly=True)
    sla_met_count = fields.Integer(string="SLA clocks met", readonly=True)
    sla_missed_count = fields.Integer(string="SLA clocks missed", readonly=True)
    sla_rate = fields.Float(string="SLA met (%)", readonly=True, digits=(5, 1))
    response_sla_rate = fields.Float(string="Responses in time (%)", readonly=True, digits=(5, 1))
    arrival_sla_rate = fields.Float(string="Arrivals in time (%)", readonly=True, digits=(5, 1))
    resolution_sla_rate = fields.Float(string="Resolutions in time (%)", readonly=True, digits=(5, 1))
    repair_count = fields.Integer(string="Repairs done", readonly=True)
    part_ids = fields.One2many(
        "service.contract.report.part", "report_id", string="Parts replaced", readonly=True
    )
    visit_count = fields.Integer(string="Visits done", readonly=True)
    inspection_count = fields.Integer(string="Inspections done", readonly=True)
    checklist_count = fields.Integer(string="Units inspected", readonly=True)
    finding_count = fields.Integer(string="Findings", readonly=True, help="Failed checklist items.")
    rating_count = fields.Integer(string="Ratings", readonly=True)
    rating_avg = fields.Float(string="Average rating (of 5)", readonly=True, digits=(3, 1))
    satisfied_rate = fields.Float(string="Satisfied (%)", readonly=True, digits=(5, 1))
    can_send = fields.Boolean(compute="_compute_can", string="Can send")
    can_refresh = fields.Boolean(compute="_compute_can", string="Can refresh")

    _contract_period_unique = models.UniqueIndex("(contract_id, period_start)")
    _dates_in_order = models.Constraint(
        "CHECK (period_end >= period_start)", "A report period cannot end before it starts."
    )

    @api.depends("contract_id.name", "period_start", "period_end")
    def _compute_name(self):
        for report in self:
            contract = report.contract_id.name or ""
            report.name = f"{contract} {report.period_start or ''} - {report.period_end or ''}"

    @api.depends_context("uid")
    @api.depends("state", "contact_id")
    def _compute_can(self):
        for report in self:
            report.can_refresh = report.state == "draft"
            report.can_send = report.state == "draft" and bool(report.contact_id.email)

    def _compute_access_url(self):
        for report in self:
            report.access_url = f"/my/service-contracts/{report.contract_id.id}/reports/{report.id}"

    def _decided_fields(self):
        how = self.env._("The report's figures come from the period's records: use 'Refresh' or 'Send'.")
        return dict.fromkeys(DECIDED_FIELDS, how)

    def _decided_create_fields(self):
        # Made by the contract's 'Generate report' and the cron only.
        allowed = dict.fromkeys(DECIDED_FIELDS)
        allowed["state"] = ("draft",)
        return allowed

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The portal link works from the start: no second write per report.
            vals.setdefault("access_token", str(uuid.uuid4()))
        reports = super().create(vals_list)
        reports._compute_figures()
        return reports

    def write(self, vals):
        if set(vals) & {"typical_request_ids", "summary"} and any(r.state == "sent" for r in self):
            raise UserError(self.env._("A sent report is what the customer received: it no longer changes."))
        return super().write(vals)

    # -- actions ------------------------------------------------------------------

    def action_refresh(self):
        """The figures again from the period's records (a draft report only)."""
        self._check_can("refresh", self.env._("Refreshing the figures"))
        self._compute_figures()

    def action_send(self):
        """Render the PDF in the contact's language and queue the e-mail with it."""
        self._check_can("send", self.env._("Sending the report"))
        self._send()

    def action_preview(self):
        self.ensure_one()
        return self.env.ref("service_maintenance.service_contract_report_action_pdf").report_action(self)

    # -- business methods -------------------------------------------------------

    def _send(self):
        """Store the PDF on the report, queue one e-mail per report through
        the mail queue (the template attaches that PDF), mark them sent."""
        template = self.env.ref("service_maintenance.mail_template_service_contract_report")
        pdf_report = self.env.ref("service_maintenance.service_contract_report_action_pdf")
        for report in self:
            lang = report.contact_id.lang or report.partner_id.lang or self.env.lang
            pdf, _format = self.env["ir.actions.report"].with_context(lang=lang)._render_qweb_pdf(
                pdf_report, report.ids
            )
            attachment = self.env["ir.attachment"].create({
                "name": report._pdf_filename(), "raw": pdf, "mimetype": "application/pdf",
                "res_model": report._name, "res_id": report.id,
            })
            report.with_context(mail_notify_force_send=False).message_post_with_source(
                template, attachment_ids=attachment.ids, subtype_xmlid="mail.mt_comment",
                partner_ids=report.contact_id.ids,
            )
        with deciding():
            self.write({"state": "sent", "date_sent": fields.Datetime.now()})

    def _pdf_filename(self):
        self.ensure_one()
        return self.env._("Service report %(report)s.pdf", report=self.name).replace("/", "-")

    def _get_pdf_attachment(self):
        """The PDF the customer received (the last one stored on the report)."""
        self.ensure_one()
        return self.env["ir.attachment"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "=", self.id), ("mimetype", "=", "application/pdf"),
        ], order="id desc", limit=1)

    def _request_domain(self):
        """The contract's requests of the period: the customer's, about a unit
        of the contract or about no unit (their installed system as a whole)."""
        self.ensure_one()
        contract = self.contract_id
        return Domain.AND([
            [("commercial_partner_id", "=", contract.commercial_partner_id.id)],
            [("company_id", "=", contract.company_id.id)],
            Domain("lot_id", "in", contract.lot_ids.ids) | Domain("lot_id", "=", False),
            [("date_request", ">=", self.period_start), ("date_request", "<", self._period_end_exclusive())],
        ])

    def _period_end_exclusive(self):
        return fields.Datetime.to_datetime(self.period_end + timedelta(days=1))

    def _compute_figures(self):
        """Write each report's figures, from grouped reads of the period's
        requests (by severity and SLA result in one), ratings, repairs and
        their parts lines, visits and checklists: a fixed number of queries
        per report, whatever the number of records of its period."""
        for report in self:
            with deciding():
                report.write(report._figures_vals())

    def _figures_vals(self):
        self.ensure_one()
        contract = self.contract_id
        start = fields.Datetime.to_datetime(self.period_start)
        end = self._period_end_exclusive()
        Request = self.env["service.request"].sudo()
        request_domain = self._request_domain()
        groups = Request._read_group(request_domain, ["severity", *SLA_CLOCKS], ["__count", "id:array_agg"])
        severity = dict.fromkeys(("urgent", "serious", "normal"), 0)
        clocks = {clock: {"met": 0, "missed": 0} for clock in SLA_CLOCKS}
        request_ids = []
        for level, *results, count, ids in groups:
            severity[level] += count
            request_ids += ids
            for clock, result in zip(SLA_CLOCKS, results):
                if result:
                    clocks[clock][result] += count
        met = sum(clock["met"] for clock in clocks.values())
        missed = sum(clock["missed"] for clock in clocks.values())

        ratings = self.env["rating.rating"].sudo()._read_group(
            [("res_model", "=", "service.request"), ("res_id", "in", request_ids), ("consumed", "=", True),
             ("rating", ">", 0)],
            [], ["__count", "rating:avg"],
        )
        rating_count, rating_avg = ratings[0] if ratings else (0, 0.0)
        satisfied = self.env["rating.rating"].sudo().search_count([
            ("res_model", "=", "service.request"), ("res_id", "in", request_ids), ("consumed", "=", True),
            ("rating", ">=", SATISFIED_RATING),
        ]) if rating_count else 0

        units = contract.lot_ids.ids
        rmas = self.env["service.rma"].sudo()._read_group(
            [("lot_id", "in", units), ("repair_id.state", "=", "done"), ("date_resolved", ">=", start),
             ("date_resolved", "<", end)],
            [], ["repair_id:array_agg"],
        )
        repair_ids = (rmas[0][0] or []) if rmas else []
        parts = self.env["stock.move"].sudo()._read_group(
            [("repair_id", "in", repair_ids), ("repair_line_type", "=", "add"), ("state", "=", "done")],
            ["product_id", "product_uom"], ["quantity:sum"],
        ) if repair_ids else []

        Visit = self.env["service.visit"].sudo()
        visit_domain = Domain.AND([
            [("commercial_partner_id", "=", contract.commercial_partner_id.id), ("state", "=", "done")],
            [("company_id", "=", contract.company_id.id)],
            Domain("lot_id", "in", units) | Domain("lot_id", "=", False),
            [("date_finished", ">=", start), ("date_finished", "<", end)],
        ])
        has_inspections = "inspection" in dict(Visit._fields["visit_type"].selection)
        visits = dict(Visit._read_group(visit_domain, ["visit_type"], ["__count"]))
        # Parts used on site are counted in the product's own unit.
        visit_parts = [
            (product, product.uom_id, quantity)
            for product, quantity in self.env["service.visit.part"].sudo()._read_group(
                [("visit_id", "any", visit_domain)], ["product_id"], ["quantity:sum"],
            )
        ]

        checklists = self.env["service.checklist"].sudo()._read_group(
            [("contract_id", "=", contract.id), ("state", "=", "done"), ("date", ">=", self.period_start),
             ("date", "<=", self.period_end)],
            [], ["__count", "id:array_agg"],
        )
        checklist_count, checklist_ids = checklists[0] if checklists else (0, [])
        findings = self.env["service.checklist.result"].sudo().search_count(
            [("checklist_id", "in", checklist_ids or []), ("result", "=", "fail")]
        ) if checklist_count else 0

        quantities = {}
        for product, uom, quantity in [*parts, *visit_parts]:
            in_product_uom = uom._compute_quantity(quantity, product.uom_id) if uom else quantity
            quantities[product] = quantities.get(product, 0.0) + in_product_uom
        return {
            "request_count": sum(severity.values()),
            "urgent_count": severity["urgent"], "serious_count": severity["serious"],
            "normal_count": severity["normal"],
            "sla_met_count": met, "sla_missed_count": missed, "sla_rate": rate(met, met + missed),
            **{
                f"{clock}_rate": rate(clocks[clock]["met"], clocks[clock]["met"] + clocks[clock]["missed"])
                for clock in SLA_CLOCKS
            },
            "repair_count": len(repair_ids),
            "part_ids": [Command.clear()] + [
                Command.create({"product_id": product.id, "uom_id": product.uom_id.id, "quantity": quantity})
                for product, quantity in sorted(quantities.items(), key=lambda item: item[0].id)
            ],
            "visit_count": sum(visits.values()),
            "inspection_count": visits.get("inspection", 0) if has_inspections else 0,
            "checklist_count": checklist_count, "finding_count": findings,
            "rating_count": rating_count, "rating_avg": round(rating_avg or 0.0, 1),
            "satisfied_rate": rate(satisfied, rating_count),
        }

    def _findings(self):
        """The failed checklist items of the period, for the PDF."""
        self.ensure_one()
        return self.env["service.checklist.result"].sudo().search([
            ("checklist_id.contract_id", "=", self.contract_id.id), ("checklist_id.state", "=", "done"),
            ("checklist_id.date", ">=", self.period_start), ("checklist_id.date", "<=", self.period_end),
            ("result", "=", "fail"),
        ], order="checklist_id, sequence, id")

    def _severity_rows(self):
        """(label, count) per severity for the PDF, in the reader's language."""
        self.ensure_one()
        labels = dict(self.env["service.request"]._fields["severity"]._description_selection(self.env))
        return [
            (labels["urgent"], self.urgent_count), (labels["serious"], self.serious_count),
            (labels["normal"], self.normal_count),
        ]


class ServiceContractReportPart(models.Model):
    _name = "service.contract.report.part"
    _description = "Part Replaced in a Service Report's Period"
    _order = "report_id, id"

    report_id = fields.Many2one("service.contract.report", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="report_id.company_id", store=True)
    product_id = fields.Many2one("product.product", string="Part", required=True)
    quantity = fields.Float(digits="Product Unit")
    uom_id = fields.Many2one("uom.uom", string="Unit")
