import base64
from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import DeskCase

# A 1x1 transparent PNG: the signature widget stores what the pen drew as a PNG.
SIGNATURE = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
))


@tagged("post_install", "-at_install")
class TestVisit(DeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.support_calendar_id = cls.env.ref("service_warranty.resource_calendar_7x24")
        cls.fuse = cls.env["product.product"].create({
            "name": "Fuse 5 A", "is_storable": True, "standard_price": 2.0,
        })
        cls.env["stock.quant"]._update_available_quantity(cls.fuse, cls.stock_location, 5)
        cls.board = cls.env["product.product"].create({
            "name": "Main board MB-7", "is_storable": True, "tracking": "serial", "standard_price": 120.0,
        })
        cls.board_lot = cls._make_lots(cls.board, ["MB7-0001"])

    def _visit(self, request, user=None, **values):
        return self.env["service.visit"].with_user(user or self.engineer).create({
            "request_id": request.id, "user_id": (user or self.engineer).id,
            "date_planned": request.date_request + timedelta(hours=1), **values,
        })

    def _on_site_request(self):
        return self._request(lot_id=self.lot.id, severity="urgent", support_mode="on_site",
                             user_id=self.engineer.id)

    def test_arrival_in_time_stops_the_requests_arrival_clock(self):
        with freeze_time("2026-01-09 08:30:00"):
            request = self._on_site_request()
            visit = self._visit(request)
        self.assertRegex(visit.name, r"^SV\d{4}-\d{5}$")
        self.assertEqual(request.visit_ids, visit)
        with freeze_time("2026-01-09 10:00:00"):  # 1.5 h later; the town zone gives 2 h
            visit.action_arrive()
        self.assertEqual(visit.state, "in_progress")
        self.assertEqual(visit.date_arrived, datetime(2026, 1, 9, 10, 0))
        self.assertTrue(visit.arrival_in_time)
        self.assertEqual(request.date_arrived, visit.date_arrived)
        self.assertEqual(request.state, "in_progress")
        self.assertFalse(request.can_mark_arrived)

    def test_a_late_arrival_is_recorded_as_late(self):
        with freeze_time("2026-01-09 08:30:00"):
            request = self._on_site_request()
            visit = self._visit(request)
        with freeze_time("2026-01-09 11:00:00"):
            visit.action_arrive()
        self.assertFalse(visit.arrival_in_time)
        late = self.env["service.visit"].search(
            [("date_arrived", "!=", False), ("arrival_in_time", "=", False)]
        )
        self.assertIn(visit, late)

    def test_parts_used_leave_the_stock_as_real_moves(self):
        request = self._on_site_request()
        visit = self._visit(request, part_ids=[
            (0, 0, {"product_id": self.fuse.id, "quantity": 2}),
            (0, 0, {"product_id": self.board.id, "lot_id": self.board_lot.id, "quantity": 1}),
        ])
        visit.action_arrive()
        with self.assertRaisesRegex(UserError, "Say what was done"):
            visit.action_finish()
        visit.work_done = "Replaced the blown fuses and the main board."
        visit.action_finish()
        self.assertEqual(visit.state, "done")
        moves = visit.sudo().move_ids
        self.assertEqual(len(moves), 2)
        self.assertEqual(set(moves.mapped("state")), {"done"})
        customer_location = self.customer.property_stock_customer
        self.assertEqual(moves.location_dest_id, customer_location)
        self.assertEqual(moves.location_id, self.stock_location)
        self.assertEqual(self.fuse.with_context(location=self.stock_location.id).qty_available, 3)
        board_move = moves.filtered(lambda move: move.product_id == self.board)
        self.assertEqual(board_move.move_line_ids.lot_id, self.board_lot)
        in_stock = self.board_lot.quant_ids.filtered(lambda quant: quant.quantity > 0)
        self.assertEqual(in_stock.location_id, customer_location)
        with self.assertRaises(AccessError):
            visit.write({"work_done": "rewritten afterwards"})
        with self.assertRaisesRegex(UserError, "fixed"):
            visit.part_ids[0].quantity = 5

    def test_the_customer_signs_once_and_the_report_shows_it_all(self):
        request = self._on_site_request()
        visit = self._visit(request, part_ids=[(0, 0, {"product_id": self.fuse.id, "quantity": 1})])
        visit.action_arrive()
        visit.write({
            "work_done": "Cleaned the pump's sensor.", "signed_by": "Ada Nurse", "signature": SIGNATURE,
        })
        self.assertTrue(visit.signed_on)
        with self.assertRaises(AccessError):
            visit.write({"signature": SIGNATURE})
        visit.action_finish()
        html = self.env["ir.actions.report"]._render_qweb_html(
            "service_desk.action_report_service_visit", visit.ids
        )[0].decode()
        for text in (visit.name, request.name, "Cleaned the pump", "Fuse 5 A", "Ada Nurse", "Evan Engineer",
                     self.lot.name, "data:image/png;base64"):
            self.assertIn(text, html)
        # The PDF is this HTML through wkhtmltopdf, which fetches its stylesheets
        # from the server: not runnable from inside a test transaction.

    def test_engineers_work_only_their_own_visits(self):
        request = self._on_site_request()
        visit = self._visit(request)
        with self.assertRaises(AccessError):
            visit.with_user(self.engineer2).action_arrive()
        with self.assertRaises(AccessError):
            self._visit(request, user=self.engineer2).with_user(self.engineer).write({"work_done": "x"})
        with self.assertRaises(AccessError):
            visit.write({"state": "done"})
        self.assertEqual(visit.state, "planned")

    def test_plan_a_visit_from_the_request(self):
        request = self._on_site_request()
        action = request.action_plan_visit()
        self.assertEqual(action["res_model"], "service.visit")
        self.assertEqual(action["context"]["default_request_id"], request.id)
        self.assertEqual(action["context"]["default_user_id"], self.engineer.id)

    # -- the engineer's van ------------------------------------------------------

    def test_parts_come_from_the_engineers_van(self):
        van = self.env["stock.location"].create({
            "name": "Van of Evan", "usage": "internal", "location_id": self.warehouse.view_location_id.id,
        })
        self.env["stock.quant"]._update_available_quantity(self.fuse, van, 4)
        self.engineer.service_stock_location_id = van
        request = self._on_site_request()
        visit = self._visit(request, part_ids=[(0, 0, {"product_id": self.fuse.id, "quantity": 3})])
        self.assertEqual(visit.source_location_id, van, "the engineer's van by default")
        visit.action_arrive()
        visit.work_done = "Replaced three fuses from the van."
        visit.action_finish()
        move = visit.sudo().move_ids
        self.assertEqual(move.state, "done")
        self.assertEqual(move.location_id, van)
        self.assertEqual(self.fuse.with_context(location=van.id).qty_available, 1)
        self.assertEqual(self.fuse.with_context(location=self.stock_location.id).qty_available, 5,
                         "the warehouse's stock is untouched")

        other = self._visit(request, user=self.engineer2)
        self.assertFalse(other.source_location_id, "without a van: the warehouse's stock")

    def test_an_engineers_parts_location_is_an_internal_one_of_their_company(self):
        with self.assertRaisesRegex(ValidationError, "not an internal location"):
            self.engineer.service_stock_location_id = self.customer.property_stock_customer
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        other_stock = self.env["stock.warehouse"].search([("company_id", "=", other_company.id)]).lot_stock_id
        with self.assertRaisesRegex(ValidationError, "does not work for"):
            self.engineer.service_stock_location_id = other_stock

    # -- the service report by e-mail ----------------------------------------------

    def test_the_service_report_is_sent_by_email_with_the_report_attached(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.customer.lang = "zh_CN"
        request = self._on_site_request()
        visit = self._visit(request)
        self.assertFalse(visit.can_send_report, "offered on finished visits")
        with self.assertRaisesRegex(UserError, "Sending the service report is not possible"):
            visit.action_send_report()
        visit.action_arrive()
        visit.write({"work_done": "Cleaned the sensor.", "signed_by": "Ada Nurse", "signature": SIGNATURE})
        visit.action_finish()
        self.assertTrue(visit.can_send_report)
        self.assertFalse(visit.message_ids.filtered(lambda message: message.message_type == "email"),
                         "finishing sends nothing by itself")

        action = visit.action_send_report()
        self.assertEqual(action["res_model"], "mail.compose.message")
        template = self.env.ref("service_desk.mail_template_service_visit_report")
        self.assertEqual(action["context"]["default_template_id"], template.id)
        self.assertEqual(template.report_template_ids,
                         self.env.ref("service_desk.action_report_service_visit"))
        composer = Form(self.env["mail.compose.message"].with_user(self.engineer).with_context(
            **action["context"])).save()
        self.assertEqual(composer.template_id, template)
        self.assertEqual(composer.lang, "zh_CN", "in the customer's language")
        self.assertIn(self.customer, composer.partner_ids, "to the visit's customer")
        self.assertIn(visit.name, composer.body)
        self.assertIn(request.name, composer.body)
        self.assertIn("Ada Nurse", composer.body)
        # Inside a test Odoo renders the report as HTML instead of running wkhtmltopdf.
        self.assertEqual(len(composer.attachment_ids), 1)
        self.assertEqual(composer.attachment_ids.name, f"Service report - {visit.name}.html")

        _mails, messages = composer._action_send_mail()
        self.assertEqual(len(messages), 1)
        self.assertIn(messages, visit.message_ids, "the e-mail is in the visit's chatter")
        self.assertEqual(messages.attachment_ids, composer.attachment_ids)
        self.assertIn(visit.name, base64.b64decode(messages.attachment_ids.datas).decode())
        self.assertIn(self.customer, messages.partner_ids)
