import binascii

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request


class ServiceRequestPortal(CustomerPortal):
    """"My service requests" and "Request service": under names of our own
    (routes, counters, page name), beside the other add-ons' portals."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_request_count" in counters:
            Request = request.env["service.request"]
            values["service_request_count"] = (
                Request.search_count(self._service_request_domain()) if Request.has_access("read") else 0
            )
        return values

    def _service_request_domain(self):
        return [("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id)]

    def _service_request_units(self):
        """The units the customer may ask service for: those of their live
        certificates (found with the customer's own rights)."""
        warranties = request.env["service.warranty"].search([
            ("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id),
            ("state", "in", ("active", "expired")),
        ])
        return warranties.sudo().lot_id

    @http.route(["/my/service-requests", "/my/service-requests/page/<int:page>"], type="http",
                auth="user", website=True, readonly=True)
    def portal_my_service_requests(self, page=1, **kw):
        Request = request.env["service.request"]
        domain = self._service_request_domain()
        pager = portal_pager(url="/my/service-requests", total=Request.search_count(domain), page=page,
                             step=self._items_per_page)
        requests_ = Request.search(domain, order="date_request desc, id desc", limit=self._items_per_page,
                                   offset=pager["offset"])
        request.session["my_service_requests_history"] = requests_.ids[:100]
        values = self._prepare_portal_layout_values()
        # Found with the customer's own rights; rendered with sudo for product names.
        values.update({
            "service_requests": requests_.sudo(), "page_name": "service_request", "pager": pager,
            "default_url": "/my/service-requests",
        })
        return request.render("service_desk.portal_my_service_requests", values)

    # Not read-only: the portal chatter gives the request an access token.
    @http.route(["/my/service-requests/<int:request_id>"], type="http", auth="public", website=True)
    def portal_my_service_request(self, request_id, access_token=None, **kw):
        try:
            request_sudo = self._document_check_access("service.request", request_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            request_sudo, access_token,
            {"page_name": "service_request", "service_request": request_sudo},
            "my_service_requests_history", False,
        )
        return request.render("service_desk.portal_my_service_request", values)

    @http.route(["/my/service-requests/new"], type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_new_service_request(self, **post):
        """The customer's "Request service" page: one of their units (or
        none, for a whole system), the severity and what is wrong."""
        if not request.env.user._is_portal() and not request.env.user._is_internal():
            return request.redirect("/my")
        units = self._service_request_units()
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "service_request_new", "units": units, "errors": [], "form": post})
        if request.httprequest.method == "POST":
            Request = request.env["service.request"]
            errors = Request._portal_request_errors(post)
            lot = units.filtered(lambda unit: str(unit.id) == (post.get("lot_id") or ""))
            if post.get("lot_id") and not lot:
                errors.append(request.env._("Choose one of your units, or none."))
            if not errors:
                new = Request._create_from_portal(request.env.user.partner_id, lot, post)
                return request.redirect(new.get_portal_url())
            values["errors"] = errors
        elif post.get("lot_id"):
            values["form"] = {"lot_id": post["lot_id"]}
        return request.render("service_desk.portal_new_service_request", values)

    def _service_visit_check_access(self, request_id, visit_id, access_token):
        request_sudo = self._document_check_access("service.request", request_id, access_token)
        visit = request_sudo.visit_ids.filtered(lambda visit: visit.id == visit_id)
        if not visit or visit.state == "cancel":
            raise MissingError(request.env._("This visit does not exist."))
        return request_sudo, visit

    @http.route(["/my/service-requests/<int:request_id>/visits/<int:visit_id>/sign"], type="jsonrpc",
                auth="public", website=True)
    def portal_service_visit_sign(self, request_id, visit_id, access_token=None, name=None, signature=None):
        """The customer signs a visit's service report in the portal (the
        portal's signature form, as a sale order is signed)."""
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            request_sudo, visit = self._service_visit_check_access(request_id, visit_id, access_token)
        except (AccessError, MissingError):
            return {"error": request.env._("Invalid service request.")}
        if not signature:
            return {"error": request.env._("Signature is missing.")}
        try:
            visit._sign(name, signature)
        except UserError as error:
            return {"error": error.args[0]}
        except (TypeError, binascii.Error):
            return {"error": request.env._("Invalid signature data.")}
        return {"force_refresh": True, "redirect_url": request_sudo.get_portal_url()}

    @http.route(["/my/service-requests/<int:request_id>/visits/<int:visit_id>/report"], type="http",
                auth="public", website=True)
    def portal_service_visit_report(self, request_id, visit_id, access_token=None, download=False, **kw):
        try:
            _request_sudo, visit = self._service_visit_check_access(request_id, visit_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._show_report(
            model=visit, report_type="pdf", report_ref="service_desk.action_report_service_visit",
            download=download,
        )
