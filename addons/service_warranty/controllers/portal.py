from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request


class WarrantyPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "warranty_count" in counters:
            Warranty = request.env["service.warranty"]
            values["warranty_count"] = (
                Warranty.search_count(self._warranty_domain())
                if Warranty.has_access("read")
                else 0
            )
        return values

    def _warranty_domain(self):
        partner = request.env.user.partner_id
        return [
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("state", "!=", "draft"),
        ]

    @http.route(
        ["/my/warranties", "/my/warranties/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_warranties(self, page=1, sortby=None, **kw):
        Warranty = request.env["service.warranty"]
        sortings = {
            "date_end": {"label": request.env._("Warranty end"), "order": "date_end desc, id desc"},
            "name": {"label": request.env._("Certificate"), "order": "name desc"},
        }
        sortby = sortby if sortby in sortings else "date_end"
        domain = self._warranty_domain()
        count = Warranty.search_count(domain)
        pager = portal_pager(
            url="/my/warranties",
            url_args={"sortby": sortby},
            total=count,
            page=page,
            step=self._items_per_page,
        )
        warranties = Warranty.search(
            domain, order=sortings[sortby]["order"], limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_warranties_history"] = warranties.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                # Found with the user's own rights; rendered with sudo so the
                # product names show without granting portal users products.
                "warranties": warranties.sudo(),
                "page_name": "warranty",
                "pager": pager,
                "default_url": "/my/warranties",
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render("service_warranty.portal_my_warranties", values)

    @http.route(
        # Not read-only: the portal chatter gives the certificate an access token.
        ["/my/warranties/<int:warranty_id>"], type="http", auth="public", website=True
    )
    def portal_my_warranty(self, warranty_id, access_token=None, report_type=None, download=False, **kw):
        try:
            warranty_sudo = self._document_check_access("service.warranty", warranty_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=warranty_sudo,
                report_type=report_type,
                report_ref="service_warranty.action_report_warranty_card",
                download=download,
            )
        values = self._get_page_view_values(
            warranty_sudo, access_token, {"page_name": "warranty", "warranty": warranty_sudo},
            "my_warranties_history", False,
        )
        return request.render("service_warranty.portal_my_warranty", values)
