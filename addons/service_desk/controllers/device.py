from odoo import http
from odoo.http import request


def _no_store(response):
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


class ServiceDeviceReport(http.Controller):
    """"Report a fault" on a unit's public page, and the public status page of
    the request it makes. Anonymous: the answers name the ticket, never the
    owner; the business method runs as the superuser on the one unit the
    label's token designates, so the public user reads nothing else."""

    @http.route(
        "/service/d/<string:token>/report", type="http", auth="public", methods=["POST"], website=True,
        sitemap=False,
    )
    def device_report_fault(self, token, **post):
        lot = request.env["stock.lot"]._search_service_token(token)
        if not lot:
            raise request.not_found()
        form = {key: post.get(key) or "" for key in ("description", "contact_name", "contact_phone",
                                                      "contact_email")}
        answer = request.env["service.request"].sudo()._report_fault_public(
            lot, form, request.httprequest.remote_addr
        )
        if answer["status"] == "invalid":
            values = lot._get_public_service_values()
            values.update({"report_errors": answer["errors"], "report_form": form})
            response = request.render("service_warranty.service_device_page", values, status=400)
            return _no_store(response)
        values = {
            "status": answer["status"],
            "number": answer["number"],
            "status_url": answer["token"] and f"/service/status/{answer['number']}/{answer['token']}",
            "device_url": f"/service/d/{token}",
        }
        status = 429 if answer["status"] == "limited" else 200
        return _no_store(request.render("service_desk.service_report_answer", values, status=status))

    @http.route(
        "/service/status/<string:number>/<string:token>", type="http", auth="public", methods=["GET"],
        readonly=True, website=True, sitemap=False,
    )
    def service_request_status(self, number, token, **kwargs):
        service_request = request.env["service.request"]._find_by_status_token(number, token)
        if not service_request:
            # Same answer for a wrong number and a wrong token.
            raise request.not_found()
        values = service_request._get_public_status_values()
        return _no_store(request.render("service_desk.service_request_status_page", values))
