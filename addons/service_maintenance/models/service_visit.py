from datetime import timedelta

import pytz
from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..planning import add_working_days
from .service_contract_plan import working_days

# The inspection report (巡检报告) is due that many working days after the visit.
REPORT_DUE_WORKING_DAYS = 3
REPORT_ACTIVITY = "service_maintenance.mail_activity_type_inspection_report"
REPORT_FIELDS = ("findings", "recommendations", "customer_engineer", "engineer_signature")


class ServiceVisit(models.Model):
    """Inspections: visits of a maintenance contract (made by hand or by the
    contract's inspection plan) that check every unit of the contract on its
    checklist, with the customer's engineer, and end in an inspection report
    (巡检报告) due three working days later, sent to the customer's contact
    and shown in their portal."""

    _inherit = "service.visit"

    visit_type = fields.Selection(selection_add=[("inspection", "Inspection")],
                                  ondelete={"inspection": "cascade"})
    contract_id = fields.Many2one(
        "service.contract", index="btree_not_null", check_company=True,
        ondelete="cascade", tracking=True,
    )
    plan_sequence = fields.Integer(
        string="Inspection no.", readonly=True, copy=False,
        help="Its place in the contract's inspection plan: the key that keeps the plan from making it twice.",
    )
    checklist_ids = fields.One2many("service.checklist", "visit_id", string="Checklists")
    checklist_count = fields.Integer(compute="_compute_checklist_count", string="Checklist count")
    customer_engineer = fields.Char(string="Customer's engineer", help="Who inspected with us on site.")
    findings = fields.Html()
    recommendations = fields.Html()
    engineer_signature = fields.Image(string="Engineer's signature", copy=False, attachment=True,
                                      max_width=1024, max_height=1024)
    report_deadline = fields.Date(string="Report due on", readonly=True, copy=False, index="btree_not_null")
    report_sent_on = fields.Datetime(string="Report sent on", readonly=True, copy=False)
    report_overdue = fields.Boolean(
        compute="_compute_report_overdue", search="_search_report_overdue", string="Report overdue",
    )

    _plan_sequence_unique = models.UniqueIndex(
        "(contract_id, plan_sequence) WHERE plan_sequence > 0",
        "An inspection plan makes each of its inspections once.",
    )

    @api.depends("request_id", "contract_id")
    def _compute_company_id(self):
        inspections = self.filtered(lambda visit: not visit.request_id and visit.contract_id)
        for visit in inspections:
            visit.company_id = visit.contract_id.company_id
        return super(ServiceVisit, self - inspections)._compute_company_id()

    @api.depends("request_id", "contract_id")
    def _compute_from_request(self):
        inspections = self.filtered(lambda visit: not visit.request_id and visit.contract_id)
        for visit in inspections:
            visit.partner_id = visit.contract_id.partner_id
        return super(ServiceVisit, self - inspections)._compute_from_request()

    def _compute_checklist_count(self):
        counts = dict(self.env["service.checklist"]._read_group(
            [("visit_id", "in", self.ids)], ["visit_id"], ["__count"]
        ))
        for visit in self:
            visit.checklist_count = counts.get(visit, 0)

    @api.depends("report_deadline", "report_sent_on")
    def _compute_report_overdue(self):
        today = fields.Date.context_today(self)
        for visit in self:
            visit.report_overdue = bool(
                visit.report_deadline and not visit.report_sent_on and visit.report_deadline < today
            )

    def _search_report_overdue(self, operator, value):
        # Booleans come as ('in', [True]); the ORM negates it for 'not in'.
        if operator != "in" or list(value) != [True]:
            return NotImplemented
        return Domain([
            ("report_deadline", "<", fields.Date.context_today(self)), ("report_sent_on", "=", False),
        ])

    @api.depends("visit_type", "state", "report_sent_on")
    @api.depends("visit_type", "report_sent_on")
    def _compute_can(self):
        """An inspection's report is sent once, when the inspection is done;
        a service call's service report as service_desk says."""
        result = super()._compute_can()
        for visit in self.filtered(lambda visit: visit.visit_type == "inspection"):
            visit.can_send_report = visit.state == "done" and not visit.report_sent_on
        return result

    @api.constrains("visit_type", "contract_id")
    def _check_inspection_contract(self):
        if self.filtered(lambda visit: visit.visit_type == "inspection" and not visit.contract_id):
            raise ValidationError(self.env._(
                "An inspection is made for a maintenance contract: choose the contract."
            ))

    def _decided_fields(self):
        hints = super()._decided_fields()
        hints.update(dict.fromkeys(
            ("plan_sequence", "report_deadline", "report_sent_on"),
            self.env._("The inspection plan and the report's sending set these."),
        ))
        if any(visit.state in ("done", "cancel") for visit in self):
            hints["contract_id"] = self.env._("A finished visit's report is fixed: plan another visit.")
        if any(visit.report_sent_on for visit in self):
            hints.update(dict.fromkeys(
                REPORT_FIELDS, self.env._("The inspection report was sent to the customer: it is fixed."),
            ))
        return hints

    def _decided_create_fields(self):
        allowed = super()._decided_create_fields()
        # The plan's key: only the plan's generator gives it.
        allowed.update(dict.fromkeys(("plan_sequence", "report_deadline", "report_sent_on")))
        return allowed

    # -- lifecycle ------------------------------------------------------------

    def action_arrive(self):
        """On site: each unit of an inspection's contract gets its checklist
        from the templates of its product category."""
        result = super().action_arrive()
        inspections = self.filtered(lambda visit: visit.visit_type == "inspection")
        if inspections:
            inspections._add_checklists()
        return result

    def action_finish(self):
        """An inspection finishes once every unit's checklist is done; its
        report is then due three working days later, with a to-do for the
        engineer by that day."""
        inspections = self.filtered(lambda visit: visit.visit_type == "inspection")
        unchecked = inspections.checklist_ids.filtered(lambda checklist: checklist.state != "done")
        if unchecked:
            raise UserError(self.env._(
                "Finish the checklists of every unit before the inspection: %(checklists)s.",
                checklists=", ".join(unchecked.mapped("name")),
            ))
        for visit in inspections.filtered(lambda visit: not (visit.work_done or "").strip()):
            visit.work_done = visit._inspection_summary()
        result = super().action_finish()
        inspections._schedule_report()
        return result

    def _inspection_summary(self):
        self.ensure_one()
        results = self.checklist_ids.result_ids
        return self.env._(
            "Inspection of %(units)s units: %(checks)s checks, %(failed)s failed.",
            units=len(self.checklist_ids), checks=len(results),
            failed=len(results.filtered(lambda result: result.result == "fail")),
        )

    def _add_checklists(self):
        """One checklist per unit of the contract at this inspection (the
        units it already has are skipped), in one create."""
        vals_list = []
        for visit in self:
            checked = visit.checklist_ids.lot_id
            vals_list += [visit._prepare_checklist_vals(lot) for lot in visit.contract_id.lot_ids - checked]
        if not vals_list:
            return self.env["service.checklist"]
        return self.env["service.checklist"].create(vals_list)

    def _prepare_checklist_vals(self, lot):
        self.ensure_one()
        return {
            "visit_id": self.id, "contract_id": self.contract_id.id, "lot_id": lot.id,
            "company_id": self.company_id.id, "user_id": self.user_id.id,
            "partner_id": self.partner_id.id, "customer_engineer": self.customer_engineer,
            "date": self._local_date(self.date_arrived or self.date_planned),
        }

    def _local_date(self, moment):
        """The day of ``moment`` (naive UTC) where the company works."""
        self.ensure_one()
        tz = pytz.timezone(self.company_id.partner_id.tz or self.env.user.tz or "UTC")
        return pytz.utc.localize(moment).astimezone(tz).date()

    def _schedule_report(self):
        """The report's due day on the contract's working calendar and the
        engineer's to-do with that deadline."""
        for visit in self:
            day = visit._local_date(visit.date_finished)
            calendar = visit.contract_id._inspection_calendar()
            tz = visit.contract_id._inspection_tz(calendar)
            horizon = day + timedelta(days=REPORT_DUE_WORKING_DAYS * 31)
            deadline = add_working_days(
                day, REPORT_DUE_WORKING_DAYS, set(working_days(calendar, tz, day, horizon))
            ) or day + timedelta(days=REPORT_DUE_WORKING_DAYS)
            with deciding():
                visit.write({"report_deadline": deadline})
            visit.activity_schedule(
                REPORT_ACTIVITY, date_deadline=deadline, user_id=visit.user_id.id,
                summary=self.env._("Send the inspection report of %(visit)s", visit=visit.name),
            )

    def action_send_report(self):
        """The inspection report (PDF) to the contract's customer contact, in
        their language, posted on the visit; the engineer's to-do is done.
        A service call's service report goes through service_desk's composer."""
        if not any(visit.visit_type == "inspection" for visit in self):
            return super().action_send_report()
        if any(visit.visit_type != "inspection" for visit in self):
            raise UserError(self.env._("Send inspection reports and service reports separately."))
        not_ready = self.filtered(lambda visit: not visit.can_send_report)
        if not_ready:
            raise UserError(self.env._(
                "Only a finished inspection's report is sent, once: %(visits)s.",
                visits=", ".join(not_ready.mapped("name")),
            ))
        no_email = self.filtered(lambda visit: not visit.partner_id.email)
        if no_email:
            raise UserError(self.env._(
                "%(customers)s has no e-mail address: add it to the customer, then send the report.",
                customers=", ".join(no_email.partner_id.mapped("display_name")),
            ))
        self.check_access("write")
        template = self.env.ref("service_maintenance.mail_template_inspection_report")
        for visit in self:
            visit.message_post_with_source(
                template, subtype_xmlid="mail.mt_comment", message_type="comment",
            )
        with deciding():
            self.write({"report_sent_on": fields.Datetime.now()})
        self.activity_feedback([REPORT_ACTIVITY])
        return True

    def action_print_report(self):
        inspections = self.filtered(lambda visit: visit.visit_type == "inspection")
        if inspections and inspections == self:
            return self.env.ref("service_maintenance.action_report_inspection").report_action(self)
        return super().action_print_report()

    def action_view_checklists(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("service_maintenance.service_checklist_action")
        action["domain"] = [("visit_id", "=", self.id)]
        action["context"] = {"default_visit_id": self.id, "default_contract_id": self.contract_id.id}
        return action

    def _get_report_base_filename(self):
        self.ensure_one()
        if self.visit_type == "inspection":
            return self.env._("Inspection report %(name)s", name=self.name)
        return super()._get_report_base_filename()

    # -- billing -----------------------------------------------------------

    def _service_cost_terms(self):
        """A visit to a unit under a running maintenance contract is charged
        as the contract's period on the day of the visit says (warranty:
        nothing; maintenance: the parts, the labour and the visit fee free;
        lifetime: everything at cost), unless the unit's own certificate
        covers it; without a contract, as the policy says."""
        self.ensure_one()
        if self._service_is_covered() or not self.lot_id:
            return super()._service_cost_terms()
        moment = self.date_arrived or self.date_planned or fields.Datetime.now()
        terms = self.env["service.contract"]._cost_terms_for_lot(
            self.lot_id, fields.Date.context_today(self, moment)
        )
        return terms if terms is not None else super()._service_cost_terms()
