"""The desk's risky operations through real JSON-RPC, as the people who
would try them: a form's readonly protects nothing there, the server must
refuse, and what it decided stays as it was."""

from datetime import timedelta

from odoo.addons.service_rma.tests.common import RpcCase
from odoo.tests import HttpCase, tagged

from .common import DeskCase
from .test_visit import SIGNATURE


@tagged("post_install", "-at_install")
class TestDeskRpcAccess(RpcCase, DeskCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.support_calendar_id = cls.cal_7x24
        Request = cls.env["service.request"].with_user(cls.desk_user)
        cls.request = Request.create({
            "title": "Pump alarms", "partner_id": cls.customer.id, "lot_id": cls.lot.id,
            "severity": "urgent", "support_mode": "on_site", "user_id": cls.engineer.id,
        })
        cls.other_request = Request.create({
            "title": "Other customer's fault", "partner_id": cls.other_customer.id,
            "user_id": cls.engineer2.id,
        })
        Visit = cls.env["service.visit"]
        cls.visit = Visit.with_user(cls.engineer).create({
            "request_id": cls.request.id, "user_id": cls.engineer.id,
            "date_planned": cls.request.date_request + timedelta(hours=1),
        })
        cls.other_visit = Visit.with_user(cls.desk_user).create({
            "request_id": cls.other_request.id, "user_id": cls.engineer2.id,
            "date_planned": cls.other_request.date_request + timedelta(hours=1),
        })

    def test_the_desk_cannot_write_a_state_or_a_clock(self):
        deadline = self.request.resolution_deadline
        for values in (
            {"state": "closed"},
            {"resolution_deadline": "2099-01-01 00:00:00"},
            {"response_sla": "met"},
            {"date_responded": "2020-01-01 00:00:00"},
            {"channel": "portal"},
        ):
            with self.subTest(values=values):
                self._refused("sd_desk", "service.request", "write", [self.request.id], values)
        self.request.invalidate_recordset()
        self.assertEqual(self.request.state, "new")
        self.assertEqual(self.request.resolution_deadline, deadline)
        self.assertFalse(self.request.response_sla)
        self.assertFalse(self.request.date_responded)
        self.assertEqual(self.request.channel, "staff")

    def test_the_desk_moves_a_request_through_its_action(self):
        self._call("sd_desk", "service.request", "action_start", [self.request.id])
        self.request.invalidate_recordset()
        self.assertEqual(self.request.state, "in_progress")
        self.assertTrue(self.request.date_responded)
        self.assertEqual(self.request.response_sla, "met")

    def test_a_request_cannot_be_created_closed_or_on_time(self):
        self._refused("sd_desk", "service.request", "create",
                      {"title": "Forged", "partner_id": self.customer.id, "state": "closed"})
        self._refused("sd_desk", "service.request", "create",
                      {"title": "Forged", "partner_id": self.customer.id, "resolution_sla": "met"})
        self.assertFalse(self.env["service.request"].search([("title", "=", "Forged")]))

    def test_an_engineer_cannot_work_another_engineers_visit(self):
        self._refused("sd_engineer", "service.visit", "action_arrive", [self.other_visit.id])
        self._refused("sd_engineer", "service.visit", "write", [self.other_visit.id],
                      {"work_done": "Not mine"})
        self.other_visit.invalidate_recordset()
        self.assertEqual(self.other_visit.state, "planned")
        self.assertFalse(self.other_visit.work_done)

    def test_an_engineer_cannot_stamp_an_arrival_in_time(self):
        self._refused("sd_engineer", "service.visit", "write", [self.visit.id],
                      {"date_arrived": str(self.request.date_request), "state": "in_progress"})
        self._call("sd_engineer", "service.visit", "action_arrive", [self.visit.id])
        self.visit.invalidate_recordset()
        self.assertEqual(self.visit.state, "in_progress")
        self._refused("sd_engineer", "service.visit", "write", [self.visit.id],
                      {"date_arrived": str(self.request.date_request)})

    def test_a_signed_report_cannot_be_signed_again(self):
        self._call("sd_engineer", "service.visit", "action_arrive", [self.visit.id])
        self._call("sd_engineer", "service.visit", "write", [self.visit.id],
                   {"signature": SIGNATURE.decode(), "signed_by": "Ada Nurse"})
        self.visit.invalidate_recordset()
        signed_on = self.visit.signed_on
        self.assertTrue(signed_on)
        for values in ({"signed_by": "Somebody else"}, {"signature": SIGNATURE.decode()},
                       {"signed_on": "2020-01-01 00:00:00"}):
            with self.subTest(values=values):
                self._refused("sd_desk", "service.visit", "write", [self.visit.id], values)
        self.visit.invalidate_recordset()
        self.assertEqual(self.visit.signed_by, "Ada Nurse")
        self.assertEqual(self.visit.signed_on, signed_on)

    def test_portal_customers_read_only_their_own(self):
        values = self._call("sd_portal", "service.request", "read", [self.request.id], ["name", "state"])
        self.assertEqual(values[0]["name"], self.request.name)
        self._refused("sd_portal", "service.request", "read", [self.other_request.id], ["name"])
        self._refused("sd_portal", "service.request", "write", [self.request.id], {"title": "changed"})
        self._refused("sd_portal", "service.request", "action_close", [self.request.id])
        self._refused("sd_portal", "service.visit", "read", [self.other_visit.id], ["name"])
        self.request.invalidate_recordset()
        self.assertEqual(self.request.title, "Pump alarms")

    def test_only_managers_configure_zones(self):
        zone = self.zone_town
        self._refused("sd_desk", "service.zone", "write", [zone.id], {"arrival_hours_urgent": 99})
        self._refused("sd_engineer", "service.zone", "write", [zone.id], {"arrival_hours_urgent": 99})
        self._call("sd_manager", "service.zone", "write", [zone.id], {"arrival_hours_urgent": 3})
        zone.invalidate_recordset()
        self.assertEqual(zone.arrival_hours_urgent, 3)
