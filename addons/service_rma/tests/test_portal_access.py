from freezegun import freeze_time
from odoo.tests import HttpCase, new_test_user, tagged

from .test_billing import BillingCase


@tagged("post_install", "-at_install")
class TestPortalAccess(HttpCase, BillingCase):
    """What a customer sees of a returned unit: the repair record and, after
    the warranty, the at-cost quotation; never the certificate's internal notes
    nor the reason a manager gave for overriding the verdict."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="rma_portal_access", groups="base.group_portal", name="Pia Portal",
            partner_id=cls.env["res.partner"].create(
                {"name": "Pia Portal", "parent_id": cls.customer.id, "email": "pia@acme.example.com"}
            ).id,
        )
        cls.warranty.notes = "<p>RMA-CERT-NOTE: customer threatened to sue</p>"

    def _returned_at_cost(self):
        """RMA-0001, out of warranty: received on 2 March, repaired at cost
        (one part, one hour), returned on 5 March."""
        with freeze_time("2026-03-02 10:00:00"):
            rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=1.0, finish=False)
            rma.with_user(self.manager)._override_remedy(
                "repair_at_cost", "RMA-OVERRIDE-REASON: key account, keep the price quiet"
            )
            rma.with_user(self.repair_user).write({
                "fault_description": "Pump alarms at start-up",
                "cause": "Worn motor bearing",
                "action_taken": "Motor replaced and calibrated",
            })
            repair = rma.repair_id.with_user(self.repair_user)
            repair.action_validate()
            repair.action_repair_start()
            repair.action_repair_end()
        with freeze_time("2026-03-05 15:00:00"):
            rma.with_user(self.repair_user).action_create_return()
            self._validate_unit_picking(rma.return_picking_id.with_user(self.repair_user))
        self.assertEqual(rma.state, "done")
        self.assertEqual(rma.remedy, "repair_at_cost")
        self.assertEqual(rma.amount_at_cost, 30.0 + 40.0)
        return rma

    def test_portal_rma_page_shows_the_repair_record(self):
        rma = self._returned_at_cost()
        self.authenticate("rma_portal_access", "rma_portal_access")
        page = self.url_open(f"/my/returns/{rma.id}")
        self.assertEqual(page.status_code, 200)
        for expected in ("Pump alarms at start-up", "Worn motor bearing", "Motor replaced and calibrated",
                         "Date received", "03/02/2026", "Date returned", "03/05/2026", "Returned",
                         "At-cost quotation", "70.00"):
            self.assertIn(expected, page.text)
        # The verdict's reason, rendered for the reader (it is stored as a code).
        self.assertEqual(rma.policy_reason_code, "expired")
        self.assertIn("The warranty ended on 01/09/2024.", page.text)

    def test_portal_rma_page_leaves_out_internal_fields(self):
        rma = self._returned_at_cost()
        self.authenticate("rma_portal_access", "rma_portal_access")
        pages = [self.url_open(f"/my/returns/{rma.id}"), self.url_open("/my/returns"),
                 self.url_open(f"/my/warranties/{rma.warranty_id.id}")]
        for page in pages:
            self.assertEqual(page.status_code, 200, page.url)
            self.assertNotIn("RMA-OVERRIDE-REASON", page.text, page.url)
            self.assertNotIn("RMA-CERT-NOTE", page.text, page.url)
        # The override is logged in the chatter as an internal note.
        self.assertTrue(any("RMA-OVERRIDE-REASON" in body for body in rma.message_ids.mapped("body")))
        chatter = self.make_jsonrpc_request(
            "/mail/chatter_fetch", {"thread_model": "service.rma", "thread_id": rma.id}
        )
        self.assertNotIn("RMA-OVERRIDE-REASON", str(chatter))

    def test_unit_in_service_shows_no_quotation_nor_return_date_yet(self):
        rma = self._scan("RMA-0002")
        rma.fault_description = "Display flickers"
        self.authenticate("rma_portal_access", "rma_portal_access")
        page = self.url_open(f"/my/returns/{rma.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Display flickers", page.text)
        self.assertNotIn("At-cost quotation", page.text)
        self.assertNotIn("Date returned", page.text, "not returned yet")

    def test_device_page_of_a_unit_in_service_shows_no_customer_data(self):
        rma = self._scan("RMA-0002")
        rma.fault_description = "RMA-SECRET-FAULT at the ICU"
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        page = self.url_open(f"/service/d/{self.lot2.sudo().service_token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Received for service on", page.text)
        for secret in (self.customer.name, self.customer.email, "Pia Portal", "pia@acme.example.com",
                       rma.name, "RMA-SECRET-FAULT", self.lot2.name, rma.warranty_id.name):
            self.assertNotIn(secret, page.text)
