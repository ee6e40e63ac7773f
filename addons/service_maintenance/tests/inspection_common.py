from odoo import Command

from .common import MaintenanceCase


class InspectionCase(MaintenanceCase):
    """A running contract over the customer's two pumps, for the maintenance
    engineer, on a Monday-to-Friday 08:30-17:30 calendar in Shanghai (the
    company's time zone): what the inspection plan and report tests share."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create({
            "name": "Inspections Mon-Fri", "tz": "Asia/Shanghai", "company_id": cls.company.id,
            "attendance_ids": [
                Command.create({"name": f"Day {day}", "dayofweek": str(day), "hour_from": 8.5,
                                "hour_to": 17.5, "day_period": "full_day"})
                for day in range(5)
            ],
        })
        cls.contract = cls._contract(cls.customer, cls.lot | cls.lot2)

    @classmethod
    def _contract(cls, partner, lots, **values):
        contract = cls.env["service.contract"].create({
            "partner_id": partner.id, "date_start": "2027-01-15", "user_id": cls.maint_engineer.id,
            "lot_ids": [Command.set(lots.ids)], "plan_calendar_id": cls.calendar.id, **values,
        })
        contract.action_standard_periods()
        contract.action_start()
        return contract

    def _inspect(self, visit, fail_note="Fan bearing noisy"):
        """The engineer on site: every unit's checklist passed but the first
        check of the first unit, which fails with ``fail_note``; done."""
        visit = visit.with_user(self.maint_engineer)
        visit.customer_engineer = "Wang Wei"
        visit.action_arrive()
        for index, checklist in enumerate(visit.checklist_ids.sorted("lot_id")):
            lines = checklist.result_ids.sorted("sequence")
            lines.write({"result": "pass"})
            if index == 0:
                lines[0].write({"result": "fail", "note": fail_note})
            checklist.action_done()
        return visit
