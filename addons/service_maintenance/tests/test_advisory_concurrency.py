from uuid import uuid4

from odoo import api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestAdvisoryConcurrency(TransactionCase):
    """Two users press "Notify owners" on the same advisory at the same
    moment, in two workers: two real transactions. The data is committed
    (each worker must see it) and removed at the end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry_ = Registry(cls.env.cr.dbname)

    def _in_new_cursor(self, func):
        with self.registry_.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            return retrying(lambda: func(env), env)

    def _setup_committed(self):
        tag = uuid4().hex[:8]

        def make(env):
            env.company.email = env.company.email or "service@vendor.example.com"
            policy = env["service.warranty.policy"].create({"name": f"Race policy {tag}"})
            product = env["product.product"].create({
                "name": f"Race pump {tag}", "is_storable": True, "tracking": "serial",
                "warranty_policy_id": policy.id,
            })
            owners = env["res.partner"].create([
                {"name": f"Race owner {tag} {i}", "email": f"race{i}-{tag}@owner.example.com"}
                for i in range(3)
            ])
            lots = env["stock.lot"].create([
                {"name": f"RACE-{tag}-{i}", "product_id": product.id} for i in range(6)
            ])
            env["service.warranty"].create([
                {"lot_id": lot.id, "partner_id": owners[i % 3].id, "policy_id": policy.id,
                 "date_delivery": "2026-01-10", "state": "active"}
                for i, lot in enumerate(lots)
            ])
            advisory = env["service.advisory"].create({"title": "Race advisory", "product_id": product.id})
            return {"advisory": advisory.id, "owners": owners.ids, "lots": lots.ids}

        ids = self._in_new_cursor(make)
        self.addCleanup(self._cleanup, ids)
        return ids

    def _cleanup(self, ids):
        def clean(env):
            notices = env["service.advisory.notice"].search([("advisory_id", "=", ids["advisory"])])
            on_advisory = [("model", "=", "service.advisory"), ("res_id", "=", ids["advisory"])]
            env["mail.mail"].search(on_advisory).unlink()
            env["mail.message"].search(on_advisory).unlink()
            notices.unlink()
            env["service.warranty"].search([("lot_id", "in", ids["lots"])])._void("concurrency test data")

        self._in_new_cursor(clean)

    def _race(self, func):
        """Worker B takes its snapshot, worker A does ``func`` and commits,
        then B does ``func``: PostgreSQL's repeatable read hides A's commit
        from B, exactly as when both run at the same instant. B runs in
        Odoo's retry-on-concurrency loop, as an HTTP or RPC worker does."""
        with self.registry_.cursor() as cr_b:
            env_b = api.Environment(cr_b, api.SUPERUSER_ID, {})
            env_b.cr.execute("SELECT 1")  # B's snapshot starts here
            result_a = self._in_new_cursor(func)
            with mute_logger("odoo.sql_db", "odoo.service.model"):
                result_b = retrying(lambda: func(env_b), env_b)
        return result_a, result_b

    def test_two_users_notifying_at_once_tell_each_owner_once(self):
        ids = self._setup_committed()

        def notify(env):
            return env["service.advisory"].browse(ids["advisory"]).action_notify_owners().partner_id.ids

        first, second = self._race(notify)
        self.assertEqual(sorted(first), sorted(ids["owners"]))
        self.assertEqual(second, [], "the second user's run finds every owner told, and tells nobody")

        def count(env):
            notices = env["service.advisory.notice"].search([("advisory_id", "=", ids["advisory"])])
            mails = env["mail.mail"].search(
                [("model", "=", "service.advisory"), ("res_id", "=", ids["advisory"])]
            )
            return len(notices), sorted(mails.recipient_ids.ids), len(mails), \
                env["service.advisory"].browse(ids["advisory"]).notified_count

        notices, recipients, mails, notified = self._in_new_cursor(count)
        self.assertEqual(notices, 3)
        self.assertEqual(mails, 3, "one e-mail per owner, not two")
        self.assertEqual(recipients, sorted(ids["owners"]))
        self.assertEqual(notified, 3)
