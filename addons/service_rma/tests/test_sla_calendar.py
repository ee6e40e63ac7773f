from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from odoo.tests import tagged

from .common import RmaCase

# Friday 9 January 2026, 16:30 in Shanghai (UTC+8), as naive UTC.
FRIDAY_1630 = "2026-01-09 08:30:00"


@tagged("post_install", "-at_install")
class TestSlaCalendar(RmaCase):
    """The RMA's clocks count working hours of the policy's support calendar,
    read in the company's time zone: the same clock as the service desk's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.cal_7x24 = cls.env.ref("service_warranty.resource_calendar_7x24")
        cls.cal_working = cls.env.ref("service_warranty.resource_calendar_working_days")
        cls.policy.write({
            "support_calendar_id": cls.cal_working.id,
            "response_hours_high": 4, "resolution_hours_high": 18,
        })

    def _scan(self, priority="high"):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        rma = Rma.browse(Rma.scan("RMA-0001")["rma_id"])
        rma.priority = priority
        return rma

    @freeze_time(FRIDAY_1630)
    def test_a_serious_rma_on_friday_afternoon_is_due_monday_morning(self):
        rma = self._scan()
        self.assertEqual(rma.date_intake, datetime(2026, 1, 9, 8, 30))
        # 1 h on Friday (16:30-17:30), 3 h on Monday (08:30-11:30), Shanghai time.
        self.assertEqual(rma.response_deadline, datetime(2026, 1, 12, 3, 30))
        # 1 h Friday, 9 h Monday, 8 h Tuesday: Tuesday 16:30.
        self.assertEqual(rma.resolution_deadline, datetime(2026, 1, 13, 8, 30))

    @freeze_time(FRIDAY_1630)
    def test_a_public_holiday_on_the_calendar_does_not_count(self):
        self.env["resource.calendar.leaves"].create({
            "name": "Public holiday",
            "calendar_id": self.cal_working.id,
            "date_from": "2026-01-11 16:00:00",  # Monday 00:00 in Shanghai
            "date_to": "2026-01-12 16:00:00",
        })
        rma = self._scan()
        self.assertEqual(rma.response_deadline, datetime(2026, 1, 13, 3, 30), "Tuesday 11:30")
        self.assertEqual(rma.resolution_deadline, datetime(2026, 1, 14, 8, 30), "Wednesday 16:30")

    @freeze_time(FRIDAY_1630)
    def test_7x24_counts_straight_through(self):
        self.policy.support_calendar_id = self.cal_7x24
        rma = self._scan()
        self.assertEqual(rma.response_deadline, datetime(2026, 1, 9, 12, 30))
        self.assertEqual(rma.resolution_deadline, datetime(2026, 1, 10, 2, 30))

    @freeze_time(FRIDAY_1630)
    def test_a_policy_without_calendar_counts_straight_through(self):
        self.policy.support_calendar_id = False
        rma = self._scan(priority="urgent")
        self.assertEqual(rma.response_deadline, rma.date_intake + timedelta(hours=1))
        self.assertEqual(rma.resolution_deadline, rma.date_intake + timedelta(hours=8))

    def test_changing_the_calendar_moves_the_open_deadlines(self):
        with freeze_time(FRIDAY_1630):
            rma = self._scan()
            self.assertEqual(rma.response_deadline, datetime(2026, 1, 12, 3, 30))
            self.policy.support_calendar_id = self.cal_7x24
            self.assertEqual(rma.response_deadline, datetime(2026, 1, 9, 12, 30))

    def test_overdue_follows_working_hours(self):
        with freeze_time(FRIDAY_1630):
            rma = self._scan()
        Rma = self.env["service.rma"]
        with freeze_time("2026-01-10 04:00:00"):  # Saturday noon: 4 wall-clock hours gone, not late
            rma.invalidate_recordset(["is_overdue"])
            self.assertFalse(rma.is_overdue)
            self.assertNotIn(rma, Rma.search([("is_overdue", "=", True)]))
        with freeze_time("2026-01-12 04:00:00"):  # Monday 12:00
            rma.invalidate_recordset(["is_overdue"])
            self.assertTrue(rma.is_overdue)
            self.assertIn(rma, Rma.search([("is_overdue", "=", True)]))

    @freeze_time(FRIDAY_1630)
    def test_the_calendar_is_read_once_a_day_and_every_change_to_it_is_seen(self):
        """The calendar's fortnights are cached per worker: a second clock
        started the same day reads no calendar, and a public holiday, new
        working hours or another calendar are seen by the very next clock.
        An employee's time off is not a public holiday: it changes nothing."""
        Calendar = type(self.env["resource.calendar"])
        start = datetime(2026, 1, 9, 8, 30)

        def response_deadline():
            self.env.invalidate_all()
            with patch.object(Calendar, "_work_intervals_batch", autospec=True,
                              side_effect=Calendar._work_intervals_batch) as read:
                deadline = self.policy._service_deadline(start, 4, self.company)
            return deadline, read.call_count

        self.assertEqual(self._scan().response_deadline, datetime(2026, 1, 12, 3, 30))
        self.assertEqual(response_deadline(), (datetime(2026, 1, 12, 3, 30), 0), "Monday 11:30, cached")

        holiday = self.env["resource.calendar.leaves"].create({
            "name": "Public holiday",
            "calendar_id": self.cal_working.id,
            "date_from": "2026-01-11 16:00:00",  # Monday 00:00 in Shanghai
            "date_to": "2026-01-12 16:00:00",
        })
        self.assertEqual(response_deadline(), (datetime(2026, 1, 13, 3, 30), 1), "Tuesday 11:30")
        holiday.date_to = "2026-01-12 04:00:00"  # the holiday ends at Monday noon
        self.assertEqual(response_deadline(), (datetime(2026, 1, 12, 7, 0), 1), "Monday 15:00")
        holiday.unlink()
        self.assertEqual(response_deadline(), (datetime(2026, 1, 12, 3, 30), 1), "Monday 11:30 again")

        engineer = self.env["resource.resource"].create({
            "name": "Field engineer", "calendar_id": self.cal_working.id,
        })
        self.env["resource.calendar.leaves"].create({
            "name": "Time off", "resource_id": engineer.id, "calendar_id": self.cal_working.id,
            "date_from": "2026-01-11 16:00:00", "date_to": "2026-01-12 16:00:00",
        })
        self.assertEqual(response_deadline(), (datetime(2026, 1, 12, 3, 30), 0), "time off: still cached")

        monday = self.cal_working.attendance_ids.filtered(lambda attendance: attendance.dayofweek == "0")
        monday.hour_from = 9.5
        self.assertEqual(response_deadline(), (datetime(2026, 1, 12, 4, 30), 1), "Monday 12:30")
        self.env["resource.calendar.attendance"].create({
            "calendar_id": self.cal_working.id, "name": "Saturday morning", "dayofweek": "5",
            "hour_from": 8.5, "hour_to": 12.5, "day_period": "morning",
        })
        self.assertEqual(response_deadline(), (datetime(2026, 1, 10, 3, 30), 1), "Saturday 11:30")
        self.cal_working.attendance_ids.filtered(lambda attendance: attendance.dayofweek == "5").unlink()
        self.assertEqual(response_deadline(), (datetime(2026, 1, 12, 4, 30), 1), "Monday 12:30 again")

        self.company.partner_id.tz = "Europe/Paris"
        # Friday 16:30 in Shanghai is 09:30 in Paris: 4 hours of Friday, the same day.
        self.assertEqual(response_deadline(), (datetime(2026, 1, 9, 12, 30), 1), "Friday 13:30 in Paris")
