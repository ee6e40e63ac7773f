from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestHotline(DeskCase):
    def _wizard(self, lookup):
        form = Form(self.env["service.request.hotline"].with_user(self.desk_user))
        form.lookup = lookup
        return form

    def test_the_caller_is_found_by_phone_email_or_name(self):
        for lookup in ("138 0013 8000", "+8613800138000", "IT@acme-hospital.example.com", "Acme Hosp"):
            with self.subTest(lookup=lookup):
                form = self._wizard(lookup)
                self.assertEqual(form.partner_id, self.customer)

    def test_scanning_the_label_finds_the_unit_and_its_owner(self):
        self.lot._ensure_service_token()
        for code in (self.lot.service_url, self.lot.service_token, self.lot.name):
            with self.subTest(code=code):
                form = self._wizard(code)
                self.assertEqual(form.lot_id, self.lot)
                self.assertEqual(form.partner_id, self.customer)
                self.assertEqual(form.warranty_id, self.warranty)

    def test_a_hotline_request_in_a_few_keystrokes(self):
        form = self._wizard("138 0013 8000")
        form.severity = "urgent"
        form.description = "Pump stops after ten minutes\nAlarm E42"
        wizard = form.save()
        action = wizard.action_create_request()
        request = self.env["service.request"].browse(action["res_id"])
        self.assertEqual(request.channel, "hotline")
        self.assertEqual(request.partner_id, self.customer)
        self.assertEqual(request.title, "Pump stops after ten minutes")
        self.assertEqual(request.contact_phone, "138 0013 8000")
        self.assertEqual(request.severity, "urgent")
        self.assertEqual(request.user_id, self.desk_user)

    def test_the_hotline_shows_the_units_open_request(self):
        open_request = self._request(lot_id=self.lot.id)
        form = self._wizard(self.lot.name)
        self.assertEqual(form.open_request_id, open_request)

    def test_nothing_is_created_without_a_customer_or_a_fault(self):
        wizard = self._wizard("nobody-knows-this-name").save()
        self.assertFalse(wizard.partner_id or wizard.lot_id)
        with self.assertRaisesRegex(UserError, "Find the customer or the unit first"):
            wizard.action_create_request()
        wizard = self._wizard("Acme Hosp").save()
        self.assertEqual(wizard.partner_id, self.customer)
        with self.assertRaisesRegex(UserError, "what the fault is"):
            wizard.action_create_request()
