import re

from odoo.tests import HttpCase, tagged

from .common import DeskCase

CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestPortal(HttpCase, DeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user.password = "sd_portal_pw_1"
        cls.mine = cls.env["service.request"].create({
            "title": "Our own pump", "partner_id": cls.customer.id, "lot_id": cls.lot.id, "user_id": False,
        })
        cls.theirs = cls.env["service.request"].create({
            "title": "Someone else's scanner", "partner_id": cls.other_customer.id, "user_id": False,
        })

    def test_my_service_requests_lists_and_shows_only_the_customers_own(self):
        self.authenticate("sd_portal", "sd_portal_pw_1")
        listing = self.url_open("/my/service-requests")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.mine.name, listing.text)
        self.assertNotIn(self.theirs.name, listing.text)
        detail = self.url_open(f"/my/service-requests/{self.mine.id}")
        self.assertIn("Our own pump", detail.text)
        other = self.url_open(f"/my/service-requests/{self.theirs.id}")
        self.assertNotIn("Someone else", other.text)
        home = self.url_open("/my/home")
        self.assertIn("/my/service-requests", home.text)

    def test_request_service_from_the_portal(self):
        self.authenticate("sd_portal", "sd_portal_pw_1")
        page = self.url_open(f"/my/service-requests/new?lot_id={self.lot.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.lot.name, page.text, "the customer's units are offered")
        self.assertNotIn(self.lot2.name + "X", page.text)
        csrf = CSRF_RE.search(page.text).group(1)
        bad = self.url_open("/my/service-requests/new", data={
            "csrf_token": csrf, "lot_id": self.lot.id, "severity": "urgent", "title": "<script>x</script>",
        })
        self.assertIn("tags and scripts are not accepted", bad.text)
        response = self.url_open("/my/service-requests/new", data={
            "csrf_token": csrf, "lot_id": self.lot.id, "severity": "urgent", "title": "Alarm every hour",
            "description": "Since Monday",
        })
        self.assertEqual(response.status_code, 200)
        request = self.env["service.request"].search([("title", "=", "Alarm every hour")])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.channel, "portal")
        self.assertEqual(request.partner_id, self.customer_contact)
        self.assertEqual(request.commercial_partner_id, self.customer)
        self.assertEqual(request.lot_id, self.lot)
        self.assertEqual(request.severity, "urgent")
        self.assertIn(f"/my/service-requests/{request.id}", response.url)

    def test_my_warranties_offers_request_service(self):
        self.authenticate("sd_portal", "sd_portal_pw_1")
        page = self.url_open(f"/my/warranties/{self.warranty.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/my/service-requests/new?lot_id={self.lot.id}", page.text)

    def test_a_unit_of_another_customer_is_refused(self):
        other_lot = self._make_lots(self.product, ["OTHER-UNIT-1"])
        self.env["service.warranty"].create({
            "lot_id": other_lot.id, "partner_id": self.other_customer.id, "policy_id": self.policy.id,
            "date_delivery": "2026-01-10", "state": "active",
        })
        self.authenticate("sd_portal", "sd_portal_pw_1")
        page = self.url_open("/my/service-requests/new")
        self.assertNotIn("OTHER-UNIT-1", page.text)
        csrf = CSRF_RE.search(page.text).group(1)
        response = self.url_open("/my/service-requests/new", data={
            "csrf_token": csrf, "lot_id": other_lot.id, "severity": "normal", "title": "Not mine",
        })
        self.assertIn("Choose one of your units", response.text)
        self.assertFalse(self.env["service.request"].search([("title", "=", "Not mine")]))


@tagged("post_install", "-at_install")
class TestPortalSignature(HttpCase, DeskCase):
    """The customer signs a visit's service report in the portal, as a sale order is signed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user.password = "sd_portal_pw_1"
        cls.request_ = cls.env["service.request"].create({
            "title": "Pump alarm", "partner_id": cls.customer.id, "lot_id": cls.lot.id,
            "support_mode": "on_site", "user_id": cls.engineer.id,
        })
        cls.visit = cls.env["service.visit"].create({
            "request_id": cls.request_.id, "user_id": cls.engineer.id, "date_planned": "2026-01-09 09:00:00",
        })
        cls.visit.with_user(cls.engineer).action_arrive()
        cls.visit.with_user(cls.engineer).write({"work_done": "Replaced the alarm board."})

    def _sign_url(self, visit=None):
        return f"/my/service-requests/{self.request_.id}/visits/{(visit or self.visit).id}/sign"

    def test_the_customer_signs_in_the_portal_once(self):
        self.authenticate("sd_portal", "sd_portal_pw_1")
        page = self.url_open(f"/my/service-requests/{self.request_.id}")
        self.assertIn(self.visit.name, page.text)
        self.assertIn("portal.signature_form", page.text)
        signature = (
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAIAAAUAAaJPXQAAAABJRU5ErkJggg=="
        )
        answer = self.make_jsonrpc_request(self._sign_url(), {"name": "Ada Nurse", "signature": signature})
        self.assertTrue(answer.get("force_refresh"), answer)
        self.assertEqual(self.visit.signed_by, "Ada Nurse")
        self.assertTrue(self.visit.signed_on)
        again = self.make_jsonrpc_request(self._sign_url(), {"name": "Someone", "signature": signature})
        self.assertIn("cannot be signed", again["error"])
        self.assertEqual(self.visit.signed_by, "Ada Nurse")

    def test_another_customer_cannot_sign_or_read_the_report(self):
        self.other_portal_user.password = "sd_portal_pw_2"
        self.authenticate("sd_portal_other", "sd_portal_pw_2")
        answer = self.make_jsonrpc_request(self._sign_url(), {"name": "Otto", "signature": "aGVsbG8="})
        self.assertEqual(answer["error"], "Invalid service request.")
        self.assertFalse(self.visit.signed_on)
        self.visit.with_user(self.engineer).action_finish()
        report = self.url_open(f"/my/service-requests/{self.request_.id}/visits/{self.visit.id}/report")
        self.assertNotEqual(report.headers.get("Content-Type"), "application/pdf")

    def test_the_customer_downloads_the_service_report(self):
        self.visit.with_user(self.engineer).action_finish()
        self.authenticate("sd_portal", "sd_portal_pw_1")
        report = self.url_open(f"/my/service-requests/{self.request_.id}/visits/{self.visit.id}/report")
        self.assertEqual(report.status_code, 200)
        self.assertIn("pdf", report.headers.get("Content-Type", ""))
