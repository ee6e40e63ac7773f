from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import MaintenanceCase


@tagged("post_install", "-at_install")
class TestContractScan(MaintenanceCase):
    """Units into a contract by scanning: the customer's two units (RMA-0001
    by its label URL, RMA-0002 by its token), a Chinese clinic's unit, a
    unit of a product without certificate, and codes that match nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls.env["service.contract"].with_user(cls.maint_manager).create({
            "partner_id": cls.customer.id, "date_start": "2026-01-01",
        })
        cls.unsold = cls._make_lots(cls.product, ["NEW-0001"])

    def _scan(self, codes, user=None, wizard=None):
        user = user or self.maint_manager
        if not wizard:
            action = self.contract.with_user(user).action_scan_units()
            wizard = self.env[action["res_model"]].with_user(user).browse(action["res_id"])
        form = Form(wizard)
        form.codes = "\n".join(codes)
        wizard = form.save()
        action = wizard.action_add_units()
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id), "it stays open")
        return wizard

    def test_each_scan_adds_its_unit_once_and_says_why_not_otherwise(self):
        self.lot._ensure_service_token()
        self.lot2._ensure_service_token()
        wizard = self._scan([
            self.lot.service_url, f"  {self.lot2.service_token}  ", "", "rma-0001", "NOPE-404",
            self.cn_lots.name, self.unsold.name,
        ])
        self.assertEqual(self.contract.lot_ids, self.lot | self.lot2 | self.unsold)
        results = [(line.code, line.lot_id, line.status) for line in wizard.line_ids]
        self.assertEqual(results, [
            (self.lot.service_url, self.lot, "added"),
            (self.lot2.service_token, self.lot2, "added"),
            ("rma-0001", self.lot, "already"),
            ("NOPE-404", self.env["stock.lot"], "not_found"),
            ("CN-0001", self.cn_lots, "other_customer"),
            ("NEW-0001", self.unsold, "added"),
        ])
        self.assertEqual((wizard.added_count, wizard.refused_count), (3, 3))
        messages = wizard.line_ids.mapped("message")
        self.assertIn("No unit matches NOPE-404", messages[3])
        self.assertIn("Shanghai Clinic", messages[4])
        self.assertIn(self.customer.name, messages[4])
        self.assertIn("already covered", messages[2])
        self.assertFalse(wizard.codes, "emptied for the next scans")
        self.assertIn("RMA-0001, RMA-0002, NEW-0001", self.contract.message_ids[0].body)

    def test_scanning_again_adds_nothing_twice(self):
        wizard = self._scan([self.lot.name])
        wizard = self._scan([self.lot.name, self.lot2.name, self.lot2.name], wizard=wizard)
        self.assertEqual(self.contract.lot_ids, self.lot | self.lot2)
        self.assertEqual(wizard.line_ids.mapped("status"), ["added", "already", "added", "already"])
        self.assertEqual(len(self.contract.lot_ids), 2)

    def test_a_running_contract_takes_more_units_a_closed_one_none(self):
        self._scan([self.lot.name])
        self.contract.action_standard_periods()
        self.contract.action_start()
        self._scan([self.lot2.name])
        self.assertEqual(self.contract.lot_ids, self.lot | self.lot2)
        self.contract.action_cancel()
        wizard = self.env["service.contract.scan"].with_user(self.maint_manager).create(
            {"contract_id": self.contract.id, "codes": self.unsold.name}
        )
        with self.assertRaises(UserError):
            wizard.action_add_units()

    def test_only_who_may_change_the_contract_scans_into_it(self):
        with self.assertRaises(AccessError):
            self.contract.with_user(self.maint_engineer).action_scan_units()
        with self.assertRaises(UserError):
            self._scan(["   "])
        self.assertFalse(self.contract.lot_ids)
