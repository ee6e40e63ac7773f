from odoo import api
from odoo.addons.service_warranty.tests.common import WarrantyCase
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import TransactionCase, new_test_user
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger


class RpcCase:
    """Calls as a user through real JSON-RPC (what a form's readonly does not
    stop), for an HttpCase: ``_call`` returns the result, ``_refused`` proves
    the server said no."""

    REFUSALS = (
        "odoo.exceptions.AccessError", "odoo.exceptions.UserError", "odoo.exceptions.ValidationError",
    )

    def _call(self, login, model, method, *args, **kwargs):
        self.authenticate(login, login)
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs,
        })

    def _refused(self, login, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException) as caught:
            self._call(login, model, method, *args, **kwargs)
        self.assertIn(str(caught.exception), self.REFUSALS)


class RaceCase(TransactionCase):
    """Two workers, two real database transactions: what a race test needs.
    Its data is committed on purpose (each worker must see it), so each test
    undoes it at the end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry_ = Registry(cls.env.cr.dbname)

    def _in_new_cursor(self, func):
        """``func(env)`` in a transaction of its own, committed, inside Odoo's
        retry-on-concurrency loop."""
        with self.registry_.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            return retrying(lambda: func(env), env)

    def _race(self, func):
        """The losing side of a race, replayed deterministically: worker B
        takes its snapshot, worker A then does ``func`` and commits, and only
        then does B do ``func`` (PostgreSQL's repeatable read keeps A's commit
        invisible to B, exactly as when both run at the same instant). B runs
        inside Odoo's retry-on-concurrency loop, as an HTTP or RPC worker
        does. Returns (A's result, B's result)."""
        with self.registry_.cursor() as cr_b:
            env_b = api.Environment(cr_b, api.SUPERUSER_ID, {})
            env_b.cr.execute("SELECT 1")  # B's snapshot starts here
            result_a = self._in_new_cursor(func)
            with mute_logger("odoo.sql_db", "odoo.service.model"):
                result_b = retrying(lambda: func(env_b), env_b)
        return result_a, result_b


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
