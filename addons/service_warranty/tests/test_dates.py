from datetime import date

from freezegun import freeze_time
from odoo import Command
from odoo.tests import tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestDates(WarrantyCase):
    def _certificate(self, policy_vals=None, **vals):
        policy = self.policy.copy(policy_vals or {})
        lot = self._make_lots(self.product, [vals.pop("serial", "DT-1")])
        return self.env["service.warranty"].create(
            {
                "lot_id": lot.id,
                "partner_id": self.customer.id,
                "policy_id": policy.id,
                "state": "active",
                **vals,
            }
        )

    def test_start_on_delivery(self):
        w = self._certificate(date_sale=date(2026, 1, 5), date_delivery=date(2026, 1, 10))
        self.assertEqual(w.date_start, date(2026, 1, 10))
        self.assertEqual(w.date_end, date(2027, 1, 9))
        self.assertEqual(w.refund_until, date(2026, 1, 17))
        self.assertEqual(w.exchange_until, date(2026, 2, 9))

    def test_start_on_delivery_without_delivery_uses_sale(self):
        w = self._certificate(date_sale=date(2026, 3, 31))
        self.assertEqual(w.date_start, date(2026, 3, 31))
        self.assertEqual(w.date_end, date(2027, 3, 30))

    def test_start_on_invoice(self):
        w = self._certificate(
            {"start_on": "invoice"}, date_delivery=date(2026, 1, 10), date_invoice=date(2026, 2, 1)
        )
        self.assertEqual(w.date_start, date(2026, 2, 1))
        w.date_invoice = False
        self.assertEqual(w.date_start, date(2026, 1, 10), "delivery dates it until invoiced")

    def test_start_on_installation_with_grace(self):
        w = self._certificate(
            {"start_on": "installation", "install_grace_days": 30}, date_delivery=date(2026, 1, 10)
        )
        self.assertEqual(w.date_start, date(2026, 2, 9), "no installation: delivery + grace")
        w.date_install = date(2026, 1, 20)
        self.assertEqual(w.date_start, date(2026, 1, 20))
        self.assertEqual(w.date_end, date(2027, 1, 19))
        w.date_install = date(2026, 6, 1)
        self.assertEqual(w.date_start, date(2026, 2, 9), "installed late: grace period caps the start")

    def test_manufacturer_term_wins_when_longer(self):
        w = self._certificate(
            {"warranty_months": 24, "manufacturer_months": 36}, date_delivery=date(2026, 1, 10)
        )
        self.assertEqual(w.date_end, date(2029, 1, 9))
        w.policy_id.manufacturer_months = 12
        self.assertEqual(w.date_end, date(2028, 1, 9), "ours is longer: ours applies")

    def test_extensions_push_the_end(self):
        w = self._certificate(date_delivery=date(2026, 1, 10))
        w.extension_ids = [
            Command.create({"days": 12, "reason": "RMA/0001 repair"}),
            Command.create({"days": 3, "reason": "RMA/0002 repair"}),
        ]
        self.assertEqual(w.extension_days, 15)
        self.assertEqual(w.date_end, date(2027, 1, 24))
        self.assertEqual(w.date_start, date(2026, 1, 10), "extensions never move the start")

    def test_no_windows_when_zero(self):
        w = self._certificate({"refund_days": 0, "exchange_days": 0}, date_delivery=date(2026, 1, 10))
        self.assertFalse(w.refund_until)
        self.assertFalse(w.exchange_until)

    def test_month_end_clamps(self):
        w = self._certificate({"warranty_months": 1}, date_delivery=date(2026, 1, 31))
        self.assertEqual(w.date_end, date(2026, 2, 27))

    def test_cron_expires_and_reminds(self):
        # Issued in May, while both still ran: a certificate whose term has
        # already ended is created expired, so only the cron can expire these.
        with freeze_time("2026-05-01"):
            ends_soon = self._certificate(serial="DT-A", date_delivery=date(2025, 12, 1))  # ends 2026-11-30
            ended = self._certificate(serial="DT-B", date_delivery=date(2025, 6, 1))  # ends 2026-05-31
        far = self._certificate(serial="DT-C", date_delivery=date(2026, 10, 1))  # ends 2027-09-30
        ends_soon.user_id = self.sales_user
        Warranty = self.env["service.warranty"]
        with freeze_time("2026-11-05"):
            result = Warranty._cron_expire_and_remind()
        self.assertEqual(ended.state, "expired")
        self.assertEqual(ends_soon.state, "active")
        self.assertEqual(far.state, "active")
        self.assertEqual(result["expired"], 1)
        activity = ends_soon.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.sales_user)
        self.assertEqual(activity.date_deadline, date(2026, 11, 30))
        self.assertFalse(far.activity_ids)
        # Running again the same day schedules nothing twice.
        with freeze_time("2026-11-05"):
            Warranty._cron_expire_and_remind()
        self.assertEqual(len(ends_soon.activity_ids), 1)
        with freeze_time("2026-12-01"):
            Warranty._cron_expire_and_remind()
        self.assertEqual(ends_soon.state, "expired")
        # An extension recorded after expiry revives the certificate.
        ends_soon.extension_ids = [Command.create({"days": 10, "reason": "late repair"})]
        with freeze_time("2026-12-02"):
            Warranty._cron_expire_and_remind()
        self.assertEqual(ends_soon.state, "active")
