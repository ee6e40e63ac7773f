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
