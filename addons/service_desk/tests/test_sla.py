from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from .common import DeskCase

# Friday 9 January 2026, 16:30 in Shanghai (UTC+8), as naive UTC.
FRIDAY_1630 = "2026-01-09 08:30:00"


@tagged("post_install", "-at_install")
class TestSla(DeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({
            "support_calendar_id": cls.cal_working.id,
            "response_hours_high": 4, "resolution_hours_high": 18,
            "response_hours_urgent": 1, "resolution_hours_urgent": 8,
        })

    @freeze_time(FRIDAY_1630)
    def test_serious_request_on_friday_afternoon_is_due_monday_morning(self):
        request = self._request(lot_id=self.lot.id, severity="serious")
        # 1 h on Friday (16:30-17:30), 3 h on Monday (08:30-11:30), Shanghai time.
        self.assertEqual(request.response_deadline, datetime(2026, 1, 12, 3, 30))
        # 1 h Friday, 9 h Monday, 8 h Tuesday: Tuesday 16:30.
        self.assertEqual(request.resolution_deadline, datetime(2026, 1, 13, 8, 30))

    @freeze_time(FRIDAY_1630)
    def test_a_public_holiday_on_the_calendar_does_not_count(self):
        self.env["resource.calendar.leaves"].create({
            "name": "Public holiday",
            "calendar_id": self.cal_working.id,
            "date_from": "2026-01-11 16:00:00",  # Monday 00:00 in Shanghai
            "date_to": "2026-01-12 16:00:00",
        })
        request = self._request(lot_id=self.lot.id, severity="serious")
        self.assertEqual(request.response_deadline, datetime(2026, 1, 13, 3, 30), "Tuesday 11:30")

    @freeze_time("2026-01-10 02:00:00")  # Saturday 10:00 in Shanghai
    def test_a_request_outside_working_hours_starts_counting_at_the_next_opening(self):
        request = self._request(lot_id=self.lot.id, severity="urgent")
        self.assertEqual(request.response_deadline, datetime(2026, 1, 12, 1, 30), "Monday 09:30")

    @freeze_time(FRIDAY_1630)
    def test_7x24_counts_straight_through(self):
        self.policy.support_calendar_id = self.cal_7x24
        request = self._request(lot_id=self.lot.id, severity="urgent")
        self.assertAlmostEqual(request.response_deadline, datetime(2026, 1, 9, 9, 30),
                               delta=self._second())
        self.assertAlmostEqual(request.resolution_deadline, datetime(2026, 1, 9, 16, 30),
                               delta=self._second())

    def _second(self):
        # A 24-hour attendance ends at 23:59:59.999999: a microsecond a day.
        return timedelta(seconds=1)

    @freeze_time(FRIDAY_1630)
    def test_arrival_deadline_by_zone_for_on_site_service(self):
        self.policy.support_calendar_id = self.cal_7x24
        expected = {self.zone_town: 2, self.zone_nearby: 6, self.zone_far: 24}
        for zone, hours in expected.items():
            with self.subTest(zone=zone.name):
                self.customer.service_zone_id = zone
                request = self._request(lot_id=self.lot.id, severity="urgent", support_mode="on_site")
                self.assertEqual(request.zone_id, zone)
                self.assertAlmostEqual(
                    request.arrival_deadline, datetime(2026, 1, 9, 8, 30) + timedelta(hours=hours),
                    delta=self._second(),
                )
        phone = self._request(lot_id=self.lot.id, severity="urgent", support_mode="phone")
        self.assertFalse(phone.arrival_deadline, "no one travels for a phone request")

    def test_overdue_is_computed_and_searchable(self):
        with freeze_time(FRIDAY_1630):
            late = self._request(lot_id=self.lot.id, severity="serious")
            answered = self._request(lot_id=self.lot.id, severity="serious")
            answered.action_start()
        Request = self.env["service.request"]
        with freeze_time("2026-01-12 04:00:00"):  # Monday 12:00: the response is late
            late.invalidate_recordset(["is_overdue"])
            self.assertTrue(late.is_overdue)
            answered.invalidate_recordset(["is_overdue"])
            self.assertFalse(answered.is_overdue)
            found = Request.search([("is_overdue", "=", True), ("id", "in", (late | answered).ids)])
            self.assertEqual(found, late)
            not_late = Request.search([("is_overdue", "=", False), ("id", "in", (late | answered).ids)])
            self.assertEqual(not_late, answered)
            late.action_cancel()
            self.assertFalse(Request.search([("is_overdue", "=", True), ("id", "=", late.id)]))

    def test_the_cron_warns_the_responsible_once_before_a_deadline(self):
        with freeze_time(FRIDAY_1630):
            request = self._request(lot_id=self.lot.id, severity="serious", user_id=self.engineer.id)
        Request = self.env["service.request"]
        with freeze_time("2026-01-12 01:00:00"):  # Monday 09:00, 2.5 h before
            Request._cron_sla_warning()
            self.assertFalse(request.activity_ids)
        with freeze_time("2026-01-12 02:45:00"):  # Monday 10:45
            Request._cron_sla_warning()
            self.assertEqual(request.activity_ids.user_id, self.engineer)
            self.assertIn(request.name, request.activity_ids.summary)
            Request._cron_sla_warning()
            self.assertEqual(len(request.activity_ids), 1, "warned once")

    @freeze_time(FRIDAY_1630)
    def test_deadlines_of_a_batch_cost_the_same_whatever_its_size(self):
        Request = self.env["service.request"].with_user(self.desk_user)

        def vals(count):
            return [
                {"title": f"Fault {i}", "partner_id": self.customer.id, "lot_id": self.lot.id,
                 "severity": ("urgent", "serious", "normal")[i % 3], "support_mode": "on_site"}
                for i in range(count)
            ]

        Request.create(vals(3))  # warm the caches
        self.env.invalidate_all()
        queries, plans = {}, {}
        Policy = type(self.env["service.warranty.policy"])
        for count in (10, 100, 200):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            with patch.object(Policy, "_service_deadline", autospec=True,
                              side_effect=Policy._service_deadline) as plan:
                requests = Request.create(vals(count))
                self.env.flush_all()
            queries[count] = self.cr.sql_log_count - before
            plans[count] = plan.call_count
            self.assertTrue(all(requests.mapped("response_deadline")))
            self.assertTrue(all(requests.mapped("arrival_deadline")))
        # Each distinct (start, hours) is planned once, however many requests:
        # at most three severities times three clocks.
        self.assertEqual(plans[10], plans[200], plans)
        self.assertEqual(plans[100], plans[200], plans)
        self.assertLessEqual(plans[200], 9, plans)
        # Nothing else grows either: the ticket numbers are drawn in one query
        # (test_performance.py counts the whole create). Past 100 rows the ORM
        # inserts in chunks of 100, so 200 rows cost a few INSERTs more.
        self.assertEqual(queries[100], queries[10], queries)

    def test_each_clock_is_met_or_missed_for_the_reports(self):
        with freeze_time(FRIDAY_1630):
            in_time = self._request(lot_id=self.lot.id, severity="serious")
            late = self._request(lot_id=self.lot.id, severity="serious")
            running = self._request(lot_id=self.lot.id, severity="serious")
        with freeze_time("2026-01-12 03:00:00"):  # Monday 11:00, before 11:30
            in_time.action_start()
        with freeze_time("2026-01-12 05:00:00"):  # Monday 13:00, late
            late.action_start()
        self.assertEqual((in_time.response_sla, late.response_sla), ("met", "missed"))
        self.assertFalse(running.response_sla, "a clock that still runs is not counted")
        counts = dict(self.env["service.request"]._read_group(
            [("id", "in", (in_time | late | running).ids)], ["response_sla"], ["__count"]
        ))
        self.assertEqual(counts, {"met": 1, "missed": 1, False: 1})
