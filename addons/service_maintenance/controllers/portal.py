from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request


class ServiceAdvisoryPortal(CustomerPortal):
    """"Advisories" in the portal, and the page the owner's e-mail link opens
    (with the notice's access token, no login needed), where they acknowledge
    it. Routes and page name of our own, beside the other add-ons' portals."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_advisory_count" in counters:
            Notice = request.env["service.advisory.notice"]
            values["service_advisory_count"] = (
                Notice.search_count(self._service_notice_domain()) if Notice.has_access("read") else 0
            )
        return values

    def _service_notice_domain(self):
        return [("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id)]

    @http.route(["/my/service-advisories", "/my/service-advisories/page/<int:page>"], type="http",
                auth="user", website=True, readonly=True)
    def portal_my_service_advisories(self, page=1, **kw):
        Notice = request.env["service.advisory.notice"]
        domain = self._service_notice_domain()
        pager = portal_pager(url="/my/service-advisories", total=Notice.search_count(domain), page=page,
                             step=self._items_per_page)
        notices = Notice.search(domain, limit=self._items_per_page, offset=pager["offset"])
        request.session["my_service_advisories_history"] = notices.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({
            "service_notices": notices.sudo(), "page_name": "service_advisory", "pager": pager,
            "default_url": "/my/service-advisories",
        })
        return request.render("service_maintenance.portal_my_service_advisories", values)

    # Not read-only: the portal chatter may give the notice a token.
    @http.route(["/my/service-advisories/<int:notice_id>"], type="http", auth="public", website=True)
    def portal_my_service_advisory(self, notice_id, access_token=None, **kw):
        try:
            notice_sudo = self._document_check_access("service.advisory.notice", notice_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            notice_sudo, access_token,
            {"page_name": "service_advisory", "service_notice": notice_sudo, "access_token": access_token},
            "my_service_advisories_history", False,
        )
        return request.render("service_maintenance.portal_my_service_advisory", values)

    @http.route(["/my/service-advisories/<int:notice_id>/acknowledge"], type="http", auth="public",
                website=True, methods=["POST"])
    def portal_acknowledge_service_advisory(self, notice_id, access_token=None, **kw):
        """The owner's acknowledgement: a POST from the page (never the
        e-mail's GET, which mail scanners follow), by token or logged in."""
        try:
            notice_sudo = self._document_check_access("service.advisory.notice", notice_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        user = request.env.user
        if access_token and (user._is_public() or user.partner_id.commercial_partner_id
                             != notice_sudo.commercial_partner_id):
            via, who, author = "link", notice_sudo.partner_id.name, notice_sudo.partner_id
        else:
            via, who, author = "portal", user.name, user.partner_id
        notice_sudo._acknowledge(via, who, author=author)
        url = notice_sudo.get_portal_url() if access_token else notice_sudo.access_url
        return request.redirect(url)


class ServiceContractPortal(CustomerPortal):
    """"My contracts": the customer's maintenance contracts once started,
    their units and what each period covers, under routes of our own."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_contract_count" in counters:
            Contract = request.env["service.contract"]
            values["service_contract_count"] = (
                Contract.search_count(self._service_contract_domain()) if Contract.has_access("read") else 0
            )
        return values

    def _service_contract_domain(self):
        return [
            ("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id),
            ("state", "!=", "draft"),
        ]

    @http.route(["/my/service-contracts", "/my/service-contracts/page/<int:page>"], type="http",
                auth="user", website=True, readonly=True)
    def portal_my_service_contracts(self, page=1, **kw):
        Contract = request.env["service.contract"]
        domain = self._service_contract_domain()
        pager = portal_pager(url="/my/service-contracts", total=Contract.search_count(domain), page=page,
                             step=self._items_per_page)
        contracts = Contract.search(domain, limit=self._items_per_page, offset=pager["offset"])
        request.session["my_service_contracts_history"] = contracts.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({
            "service_contracts": contracts.sudo(), "page_name": "service_contract", "pager": pager,
            "default_url": "/my/service-contracts",
        })
        return request.render("service_maintenance.portal_my_service_contracts", values)

    # Not read-only: the portal chatter may give the contract a token.
    @http.route(["/my/service-contracts/<int:contract_id>"], type="http", auth="public", website=True)
    def portal_my_service_contract(self, contract_id, access_token=None, **kw):
        try:
            contract_sudo = self._document_check_access("service.contract", contract_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if contract_sudo.state == "draft":
            return request.redirect("/my")
        values = self._get_page_view_values(
            contract_sudo, access_token,
            {"page_name": "service_contract", "service_contract": contract_sudo},
            "my_service_contracts_history", False,
        )
        return request.render("service_maintenance.portal_my_service_contract", values)

    @http.route(["/my/service-contracts/<int:contract_id>/reports/<int:report_id>"], type="http",
                auth="public", website=True, readonly=True)
    def portal_my_service_contract_report(self, contract_id, report_id, access_token=None, **kw):
        """The PDF of a sent periodic service report, as the contact received
        it: for the customer's portal users, or with the report's token."""
        try:
            report_sudo = self._document_check_access("service.contract.report", report_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_sudo.contract_id.id != contract_id or report_sudo.state != "sent":
            return request.redirect("/my")
        attachment = report_sudo._get_pdf_attachment()
        if not attachment:
            return self._show_report(
                model=report_sudo, report_type="pdf", download=True,
                report_ref="service_maintenance.service_contract_report_action_pdf",
            )
        return request.make_response(attachment.raw, headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(attachment.raw)),
            ("Content-Disposition", content_disposition(attachment.name)),
        ])
