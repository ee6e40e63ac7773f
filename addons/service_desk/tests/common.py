from odoo.addons.service_rma.tests.common import RmaCase
from odoo.tests import new_test_user


class DeskCase(RmaCase):
    """A delivered unit under warranty (from the RMA's tests), the desk's
    roles, the customer's portal user, and the shipped calendars and zones."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.cal_7x24 = cls.env.ref("service_warranty.resource_calendar_7x24")
        cls.cal_working = cls.env.ref("service_warranty.resource_calendar_working_days")
        cls.zone_town = cls.env.ref("service_desk.service_zone_town")
        cls.zone_nearby = cls.env.ref("service_desk.service_zone_nearby")
        cls.zone_far = cls.env.ref("service_desk.service_zone_far")
        cls.customer.write({"phone": "+86 138 0013 8000", "service_zone_id": cls.zone_town.id})
        cls.desk_user = new_test_user(
            cls.env, login="sd_desk", groups="service_desk.group_service_desk_user", name="Dora Desk"
        )
        cls.engineer = new_test_user(
            cls.env, login="sd_engineer", groups="service_desk.group_service_desk_engineer",
            name="Evan Engineer",
        )
        cls.engineer2 = new_test_user(
            cls.env, login="sd_engineer2", groups="service_desk.group_service_desk_engineer",
            name="Erin Engineer",
        )
        cls.desk_manager = new_test_user(
            cls.env, login="sd_manager", groups="service_desk.group_service_desk_manager", name="Max Manager"
        )
        cls.desk_repair = new_test_user(
            cls.env, login="sd_desk_repair",
            groups="service_desk.group_service_desk_user,service_rma.group_aftersales_repair",
            name="Rudi Desk-and-Shop",
        )
        cls.customer_contact = cls.env["res.partner"].create({
            "name": "Ada Nurse", "parent_id": cls.customer.id, "email": "ada@acme-hospital.example.com",
        })
        cls.portal_user = new_test_user(
            cls.env, login="sd_portal", groups="base.group_portal", name="Ada Nurse",
            partner_id=cls.customer_contact.id,
        )
        cls.other_portal_user = new_test_user(
            cls.env, login="sd_portal_other", groups="base.group_portal", name="Otto Other",
            partner_id=cls.other_customer.id,
        )

    def _request(self, user=None, **values):
        Request = self.env["service.request"].with_user(user or self.desk_user)
        return Request.create({"title": "Pump alarms", "partner_id": self.customer.id, **values})
