from odoo import http
from odoo.http import request


class ServiceDevicePage(http.Controller):
    """The page a unit's QR label opens. Public: it shows the unit, its
    warranty status and its service history, never who owns it."""

    @http.route(
        "/service/d/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        readonly=True,
        website=True,
        sitemap=False,
    )
    def device_page(self, token, **kwargs):
        lot = request.env["stock.lot"]._search_service_token(token)
        if not lot:
            # Same answer for malformed and unknown tokens: nothing to learn
            # about which tokens exist.
            raise request.not_found()
        values = lot._get_public_service_values()
        response = request.render("service_warranty.service_device_page", values)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response
