from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from .common import DeskCase

SEVERITIES = ("urgent", "serious", "normal")
MODES = ("on_site", "phone", "remote", "carry_in")
# One create call of up to 100 requests: the ticket numbers, the deadlines
# and the customers as followers (the tests' context disables tracking, so no
# creation notes). The deadlines read no calendar once the day's fortnight is
# cached (the warm-up request), and the requests' last rating is computed
# into their INSERT (27 queries before both, 41 before the deadlines sharing
# a start read the calendar once).
QUERIES = 13
# Odoo's ORM inserts 100 rows per INSERT statement (INSERT_BATCH_SIZE): each
# further 100 requests add one INSERT into service_request and one into
# mail_followers (their customers), nothing of ours.
QUERIES_PER_INSERT_BATCH = 2


@tagged("post_install", "-at_install")
class TestPerformance(DeskCase):
    """A batch of requests (an import, a maintenance run) costs the same
    queries whatever its size: ticket numbers, deadlines on the working-hour
    calendar and the customers' subscriptions are made for the whole batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({
            "support_calendar_id": cls.cal_working.id,
            "response_hours_urgent": 1, "resolution_hours_urgent": 8,
            "response_hours_high": 4, "resolution_hours_high": 18,
            "response_hours_normal": 8, "resolution_hours_normal": 40,
        })
        cls.team = cls.env["service.team"].create({"name": "Field service", "policy_id": cls.policy.id})
        cls.zones = cls.zone_town | cls.zone_nearby | cls.zone_far
        # A customer of its own for every request: nothing is shared between them but the policy.
        cls.customers = cls.env["res.partner"].create([
            {"name": f"Clinic {index}", "email": f"clinic{index}@example.com"} for index in range(315)
        ])

    def _vals_list(self, customers):
        """One request per customer; ten already hold every severity in
        every zone, on site and not: the batch's distinct deadlines."""
        for index, customer in enumerate(customers):
            customer.service_zone_id = self.zones[index % 3]
        return [
            {
                "title": f"Alarm on site {index}",
                "partner_id": customer.id,
                "team_id": self.team.id,
                "severity": SEVERITIES[index % 3],
                "support_mode": MODES[index // 3 % len(MODES)],
                "contact_phone": "+86 21 5555 0000",
            }
            for index, customer in enumerate(customers)
        ]

    def _create(self, customers, queries):
        """The requests of ``customers``, created in one call that must cost
        exactly ``queries`` queries (computed fields flushed)."""
        vals_list = self._vals_list(customers)
        self.env.invalidate_all()
        with self.assertQueryCount(queries):
            before = self.cr.sql_log_count
            requests = self.env["service.request"].with_user(self.desk_user).create(vals_list)
            self.env.flush_all()
            self.env.cr.flush()
            # assertQueryCount only logs a count below the expected one: fewer is a change too.
            self.assertEqual(self.cr.sql_log_count - before, queries)
        self.assertEqual(len(requests), len(customers))
        return requests

    @freeze_time("2026-01-09 08:30:00")
    def test_creating_10_or_200_requests_costs_the_same_queries(self):
        # Warm up: the company's ticket sequence is made on its first request.
        self.env["service.request"].with_user(self.desk_user).create(self._vals_list(self.customers[310:]))
        requests = self._create(self.customers[:10], QUERIES)
        requests |= self._create(self.customers[10:110], QUERIES)
        requests |= self._create(self.customers[110:310], QUERIES + QUERIES_PER_INSERT_BATCH)
        self.assertEqual(len(set(requests.mapped("name"))), 310, "every request has its own ticket number")
        self.assertTrue(all(requests.mapped("response_deadline")))
        self.assertTrue(all(requests.mapped("resolution_deadline")))
        on_site = requests.filtered(lambda request: request.support_mode == "on_site")
        self.assertTrue(on_site and all(on_site.mapped("arrival_deadline")))
        for request in requests:
            self.assertIn(request.partner_id, request.message_partner_ids, "the customer follows the request")

    def test_a_unit_under_warranty_takes_its_certificates_policy_without_the_products(self):
        """A request for a unit with a certificate takes the certificate's
        policy: the product's is not looked up (a query less per request)."""
        Product = type(self.env["product.product"])
        with patch.object(Product, "_get_warranty_policy", autospec=True,
                          side_effect=Product._get_warranty_policy) as lookup:
            request = self._request(lot_id=self.lot.id, severity="serious")
        self.assertEqual(request.policy_id, self.warranty.policy_id)
        self.assertFalse(lookup.called)
        unit_without_certificate = self.loaners[0]
        self.assertFalse(unit_without_certificate.warranty_id)
        with patch.object(Product, "_get_warranty_policy", autospec=True,
                          side_effect=Product._get_warranty_policy) as lookup:
            request = self._request(lot_id=unit_without_certificate.id, severity="serious")
        self.assertTrue(lookup.called, "a unit without a certificate takes its product's policy")
        self.assertEqual(request.policy_id, self.product.warranty_policy_id)
