from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestLifecycle(DeskCase):
    def test_number_certificate_and_policy_come_from_the_unit(self):
        request = self.env["service.request"].with_user(self.desk_user).create(
            {"title": "Pump alarms", "lot_id": self.lot.id}
        )
        self.assertRegex(request.name, r"^SR\d{4}-\d{5}$")
        self.assertEqual(request.partner_id, self.customer, "the unit's certificate names the customer")
        self.assertEqual(request.warranty_id, self.warranty)
        self.assertEqual(request.policy_id, self.policy)
        self.assertEqual(request.product_id, self.product)
        self.assertEqual(request.state, "new")
        self.assertIn(self.customer, request.message_partner_ids, "the customer follows the request")

    def test_ticket_numbers_count_per_company(self):
        other_company = self.env["res.company"].create({"name": "Branch Office"})
        first = self._request()
        second = self._request()
        branch = self.env["service.request"].create({
            "title": "Branch fault", "company_id": other_company.id, "user_id": False,
        })
        number = int(first.name.rsplit("-", 1)[1])
        self.assertEqual(int(second.name.rsplit("-", 1)[1]), number + 1)
        self.assertEqual(branch.name.rsplit("-", 1)[1], "00001", "a new company starts its own numbering")

    def test_states_move_through_the_actions(self):
        request = self._request(support_mode="on_site")
        self.assertTrue(request.can_start and request.can_mark_arrived and request.can_cancel)
        self.assertFalse(request.can_close or request.can_wait)
        request.action_start()
        self.assertEqual(request.state, "in_progress")
        self.assertTrue(request.date_responded)
        request.action_wait_customer()
        self.assertEqual(request.state, "waiting")
        request.action_resume()
        request.action_mark_arrived()
        self.assertTrue(request.date_arrived)
        self.assertFalse(request.can_mark_arrived, "arrival is recorded once")
        request.action_solve()
        self.assertEqual(request.state, "solved")
        self.assertTrue(request.date_solved)
        request.action_reopen()
        self.assertEqual(request.state, "in_progress")
        self.assertFalse(request.date_solved)
        request.action_solve()
        request.action_close()
        self.assertEqual(request.state, "closed")
        self.assertTrue(request.date_closed)
        self.assertFalse(request.can_cancel or request.can_reopen or request.can_solve)

    def test_an_action_refuses_what_its_can_field_refuses(self):
        request = self._request()
        with self.assertRaisesRegex(UserError, "Closing is not possible"):
            request.action_close()
        request.action_cancel()
        with self.assertRaisesRegex(UserError, "Starting is not possible"):
            request.action_start()
        self.assertEqual(request.state, "cancel")

    def test_state_stamps_and_deadlines_are_not_writable(self):
        request = self._request()
        for vals in ({"state": "solved"}, {"date_solved": "2026-01-01 00:00:00"},
                     {"response_deadline": "2030-01-01 00:00:00"}, {"policy_id": False},
                     {"channel": "email"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                request.write(vals)
        with self.assertRaises(AccessError):
            self._request(state="closed")
        with self.assertRaises(AccessError):
            self._request(channel="device_page")
        self.assertEqual(request.state, "new")

    def test_only_new_or_cancelled_requests_are_deleted(self):
        request = self._request()
        request.with_user(self.desk_manager).action_start()
        with self.assertRaisesRegex(UserError, "cancel the request instead"):
            request.with_user(self.desk_manager).unlink()
        request.action_cancel()
        request.with_user(self.desk_manager).unlink()
        self.assertFalse(request.exists())


@tagged("post_install", "-at_install")
class TestRating(DeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["service_desk"], ["zh_CN"], overwrite=True)

    def _closed_request(self):
        request = self._request(lot_id=self.lot.id)
        request.action_start()
        request.action_solve()
        request.action_close()
        return request

    def test_closing_sends_the_survey_and_the_customer_rates(self):
        request = self._closed_request()
        survey = request.message_ids.filtered(lambda message: "/rate/" in (message.body or ""))
        self.assertEqual(len(survey), 1)
        self.assertIn(self.customer, survey.partner_ids)
        rating = request.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertIn(f"/rate/{rating.access_token}/5", survey.body)
        request.rating_apply(5, token=rating.access_token, feedback="Quick and kind")
        self.assertEqual(request.rating_last_value, 5)
        self.assertEqual(request.rating_last_text, "top")
        self.assertEqual(request.rating_last_feedback, "Quick and kind")

    def test_the_survey_is_in_the_customers_language(self):
        self.customer.lang = "zh_CN"
        request = self._closed_request()
        survey = request.message_ids.filtered(lambda message: "/rate/" in (message.body or ""))
        self.assertIn("满意", survey.body)
        self.assertNotIn("How satisfied", survey.body)

    def test_no_survey_without_an_address(self):
        self.customer.email = False
        request = self._closed_request()
        self.assertFalse(request.rating_ids)
        self.assertFalse(request.message_ids.filtered(lambda message: "/rate/" in (message.body or "")))
