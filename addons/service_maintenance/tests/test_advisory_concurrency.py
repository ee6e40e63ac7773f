from uuid import uuid4

from odoo.addons.service_rma.tests.common import RaceCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAdvisoryConcurrency(RaceCase):
    """Two users press "Notify owners" on the same advisory at the same
    moment, in two workers: two real transactions. The data is committed
    (each worker must see it) and removed at the end."""

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
