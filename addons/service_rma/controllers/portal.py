from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request


class ServiceReturnPortal(CustomerPortal):
    """"My returns": under names of our own (routes, methods, counters, page
    name), so it lives beside OCA's ``rma`` portal, whose CustomerPortal
    extension uses the ``rma`` names."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_return_count" in counters:
            Rma = request.env["service.rma"]
            values["service_return_count"] = (
                Rma.search_count(self._service_return_domain()) if Rma.has_access("read") else 0
            )
        return values

    def _service_return_domain(self):
        return [("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id)]

    @http.route(["/my/returns", "/my/returns/page/<int:page>"], type="http", auth="user", website=True,
                readonly=True)
    def portal_my_service_returns(self, page=1, **kw):
        Rma = request.env["service.rma"]
        domain = self._service_return_domain()
        pager = portal_pager(url="/my/returns", total=Rma.search_count(domain), page=page,
                             step=self._items_per_page)
        rmas = Rma.search(domain, order="date_intake desc, id desc", limit=self._items_per_page,
                          offset=pager["offset"])
        request.session["my_service_returns_history"] = rmas.ids[:100]
        values = self._prepare_portal_layout_values()
        # Found with the customer's own rights; rendered with sudo for product names.
        values.update({
            "rmas": rmas.sudo(), "page_name": "service_return", "pager": pager, "default_url": "/my/returns",
        })
        return request.render("service_rma.portal_my_rmas", values)

    # Not read-only: the portal chatter gives the RMA an access token.
    @http.route(["/my/returns/<int:rma_id>"], type="http", auth="public", website=True)
    def portal_my_service_return(self, rma_id, access_token=None, **kw):
        try:
            rma_sudo = self._document_check_access("service.rma", rma_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            rma_sudo, access_token, {"page_name": "service_return", "rma": rma_sudo},
            "my_service_returns_history", False,
        )
        return request.render("service_rma.portal_my_rma", values)
