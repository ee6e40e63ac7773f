from odoo.tests import HttpCase, tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestUi(HttpCase, DeskCase):
    def test_hotline_request_visit_signed_and_closed(self):
        """The desk takes a call, plans a visit, the engineer records the
        arrival and the work, the customer signs on the tablet, and the
        request is solved and closed — all through the backend, as a desk
        user."""
        self.start_tour(
            "/odoo/action-service_desk.service_request_action", "service_desk_hotline_visit_signed",
            login="sd_desk",
        )
        request = self.env["service.request"].search([("title", "=", "Infusion pump alarms E42")])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.channel, "hotline")
        self.assertEqual(request.partner_id, self.customer)
        self.assertEqual(request.support_mode, "on_site")
        self.assertEqual(request.user_id, self.desk_user)
        self.assertEqual(request.state, "closed")
        self.assertTrue(request.date_arrived)
        self.assertTrue(request.date_solved)
        self.assertTrue(request.date_closed)
        visit = request.visit_ids
        self.assertEqual(len(visit), 1)
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.date_arrived, request.date_arrived)
        self.assertTrue(visit.date_finished)
        self.assertIn("alarm E42 cleared", visit.work_done)
        self.assertEqual(visit.signed_by, "Ada Nurse")
        self.assertTrue(visit.signature)
        self.assertTrue(visit.signed_on)
        self.assertGreaterEqual(visit.signed_on, visit.date_finished)
