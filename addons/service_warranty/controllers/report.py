import json

from odoo import http
from odoo.addons.web.controllers.report import ReportController
from odoo.exceptions import AccessError
from odoo.http import request

# The reports staff print: a unit's label carries its secret service token, a
# card its customer. Customers get their own card through the portal, which
# renders it for the one certificate it has checked.
INTERNAL_REPORTS = ("service_warranty.report_service_label", "service_warranty.report_warranty_card")


class ServiceReportController(ReportController):
    @http.route()
    def report_routes(self, reportname, docids=None, converter=None, **data):
        self._check_internal_report_access(reportname, docids, data.get("context"))
        return super().report_routes(reportname, docids=docids, converter=converter, **data)

    def _internal_report_names(self):
        """Report templates only the report's groups may print through the
        /report routes, on records the user may read. Add-ons add theirs."""
        return set(INTERNAL_REPORTS)

    def _check_internal_report_access(self, reportname, docids, context):
        """Odoo renders any report for any logged-in user and honours a
        report's groups in the Print menu only: for internal reports, check the
        groups and the records' access before anything is rendered. The
        templates read as the user too, so record rules and field groups
        apply to what they show."""
        Report = request.env["ir.actions.report"]
        try:
            # The same look-up as rendering: a report name or an XML id.
            report = Report._get_report(reportname)
        except ValueError:
            return  # Odoo answers for a report that does not exist
        if report.report_name not in self._internal_report_names():
            return
        groups = report.group_ids or request.env.ref("service_warranty.group_aftersales_user")
        if not (groups & request.env.user.all_group_ids):
            raise AccessError(
                request.env._("Only after-sales staff can print %(report)s.", report=report.name)
            )
        ids = [int(i) for i in (docids or "").split(",") if i.isdigit()]
        if ids:
            env = request.env
            if context:  # as the route renders it: allowed companies may be in there
                env = env(context=dict(env.context, **json.loads(context)))
            env[report.model].browse(ids).check_access("read")
