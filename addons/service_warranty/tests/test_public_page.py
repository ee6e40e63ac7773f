import re

from odoo.tests import HttpCase, new_test_user, tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestPublicPage(HttpCase, WarrantyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._make_lots(cls.product, ["PUB-SERIAL-98765"])
        cls.warranty = cls.env["service.warranty"].create(
            {"lot_id": cls.lot.id, "partner_id": cls.customer.id, "policy_id": cls.policy.id,
             "date_delivery": "2026-01-10", "invoice_ref": "INV-SECRET-42", "state": "active"}
        )
        cls.repair = cls.env["repair.order"].create(
            {"product_id": cls.product.id, "lot_id": cls.lot.id, "partner_id": cls.customer.id,
             "schedule_date": "2026-03-04 10:00:00", "under_warranty": True}
        )
        cls.token = cls.lot.sudo().service_token
        cls.portal_user = new_test_user(
            cls.env, login="sw_portal", groups="base.group_portal", name="Portal Pat",
            partner_id=cls.env["res.partner"].create(
                {"name": "Portal Pat", "parent_id": cls.customer.id, "email": "pat@acme.example.com"}
            ).id,
        )
        other_lot = cls._make_lots(cls.product, ["PUB-OTHER-1"])
        cls.other_warranty = cls.env["service.warranty"].create(
            {"lot_id": other_lot.id, "partner_id": cls.other_customer.id, "policy_id": cls.policy.id,
             "date_delivery": "2026-01-10", "state": "active"}
        )

    def test_valid_token_shows_status_and_history_only(self):
        response = self.url_open(f"/service/d/{self.token}")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("Infusion Pump IP-7", page)
        self.assertIn("************8765", page, "the serial is masked")
        self.assertNotIn("PUB-SERIAL-98765", page)
        self.assertIn("Under warranty until", page)
        self.assertIn("01/09/2027", page)
        self.assertIn("03/04/2026", page, "the repair date is listed")
        for secret in ("Acme Hospital", "it@acme-hospital.example.com", "Gotham", "INV-SECRET-42",
                       "900.00", self.warranty.name):
            self.assertNotIn(secret, page)
        self.assertEqual(response.headers.get("Referrer-Policy"), "no-referrer")

    def test_unknown_and_malformed_tokens_are_plain_404(self):
        unknown = "A" * 32
        responses = [
            self.url_open(f"/service/d/{unknown}"),
            self.url_open("/service/d/short"),
            self.url_open("/service/d/" + "%27%20OR%201=1--" + "x" * 20),
            self.url_open("/service/d/" + self.token[:-1] + ("B" if self.token[-1] != "B" else "C")),
        ]
        for response in responses:
            self.assertEqual(response.status_code, 404)
            self.assertNotIn("Infusion Pump", response.text)
        # Unknown and malformed answer with the same page (but for the
        # per-request CSRF token): nothing tells them apart.
        def page(response):
            return re.sub(r'csrf_token: "[0-9a-fo]+"', "", response.text)

        self.assertEqual(page(responses[0]), page(responses[1]))

    def test_portal_user_sees_only_own_certificates(self):
        Warranty = self.env["service.warranty"].with_user(self.portal_user)
        self.assertEqual(Warranty.search([]), self.warranty)
        self.authenticate("sw_portal", "sw_portal")
        listing = self.url_open("/my/warranties")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.warranty.name, listing.text)
        self.assertNotIn(self.other_warranty.name, listing.text)
        mine = self.url_open(f"/my/warranties/{self.warranty.id}")
        self.assertIn("PUB-SERIAL-98765", mine.text)
        theirs = self.url_open(f"/my/warranties/{self.other_warranty.id}", allow_redirects=False)
        self.assertEqual(theirs.status_code, 303, "another customer's certificate redirects away")
        card = self.url_open(f"/my/warranties/{self.warranty.id}?report_type=html")
        self.assertEqual(card.status_code, 200)
        self.assertIn("Warranty card", card.text)
        self.assertIn("INV-SECRET-42", card.text, "the owner's own card carries the invoice number")

    def test_portal_counter(self):
        self.authenticate("sw_portal", "sw_portal")
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["warranty_count"]})
        self.assertEqual(result["warranty_count"], 1)

    def test_draft_not_in_portal(self):
        draft_lot = self._make_lots(self.product, ["PUB-DRAFT"])
        draft = self.env["service.warranty"].create(
            {"lot_id": draft_lot.id, "partner_id": self.customer.id, "policy_id": self.policy.id}
        )
        self.assertNotIn(draft, self.env["service.warranty"].with_user(self.portal_user).search([]))
