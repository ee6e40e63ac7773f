from odoo.addons.service_warranty.tests.common import WarrantyCase
from odoo.tests import new_test_user


class RmaCase(WarrantyCase):
    """A delivered unit under warranty, a repair-shop user and a loaner pool."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({
            "extension_rule": "downtime",
            "loaner_threshold_hours": 8,
            "response_hours_urgent": 1, "resolution_hours_urgent": 8,
            "response_hours_normal": 24, "resolution_hours_normal": 72,
        })
        cls.order, cls.picking = cls._deliver(cls.product, ["RMA-0001", "RMA-0002"])
        cls.lot = cls.picking.warranty_ids.lot_id.filtered(lambda lot: lot.name == "RMA-0001")
        cls.lot2 = cls.picking.warranty_ids.lot_id - cls.lot
        cls.warranty = cls.lot.warranty_id
        cls.repair_user = new_test_user(
            cls.env, login="rma_shop", groups="service_rma.group_aftersales_repair", name="Rita Repair"
        )
        cls.loaners = cls._make_lots(cls.product, ["LOAN-01", "LOAN-02"])
        cls.loaners.is_loaner = True

    def _validate_unit_picking(self, picking):
        picking.move_ids.picked = True
        result = picking.button_validate()
        self.assertIs(result, True, result)
        self.assertEqual(picking.state, "done")
