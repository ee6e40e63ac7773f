from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request


class ServiceInspectionPortal(CustomerPortal):
    """"Inspection reports" in the portal: the customer's finished
    inspections (巡检报告) and their PDF. A visit is found with the portal
    user's own rights (the visits' portal rule: their company's only), so
    another customer's report answers 404."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_inspection_count" in counters:
            Visit = request.env["service.visit"]
            values["service_inspection_count"] = (
                Visit.search_count(self._service_inspection_domain()) if Visit.has_access("read") else 0
            )
        return values

    def _service_inspection_domain(self):
        return [
            ("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id),
            ("visit_type", "=", "inspection"), ("state", "=", "done"),
        ]

    @http.route(["/my/inspections", "/my/inspections/page/<int:page>"], type="http", auth="user",
                website=True, readonly=True)
    def portal_my_inspections(self, page=1, **kw):
        Visit = request.env["service.visit"]
        domain = self._service_inspection_domain()
        pager = portal_pager(url="/my/inspections", total=Visit.search_count(domain), page=page,
                             step=self._items_per_page)
        visits = Visit.search(domain, order="date_finished desc, id desc", limit=self._items_per_page,
                              offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update({
            "service_inspections": visits.sudo(), "page_name": "service_inspection", "pager": pager,
            "default_url": "/my/inspections",
        })
        return request.render("service_maintenance.portal_my_inspections", values)

    @http.route(["/my/inspections/<int:visit_id>/report"], type="http", auth="user", website=True,
                readonly=True)
    def portal_my_inspection_report(self, visit_id, download=False, **kw):
        """The inspection report's PDF, for the customer whose inspection it is."""
        visit = request.env["service.visit"].browse(visit_id)
        try:
            visit.check_access("read")
        except (AccessError, MissingError):
            raise request.not_found() from None
        if not visit.exists() or visit.visit_type != "inspection" or visit.state != "done":
            raise request.not_found()
        return self._show_report(
            model=visit.sudo(), report_type="pdf", report_ref="service_maintenance.action_report_inspection",
            download=download,
        )
