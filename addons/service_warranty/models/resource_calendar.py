from odoo import api, models

# The support clocks cache each calendar's fortnights of work intervals
# (service.warranty.policy._support_fortnight). Whatever changes what those
# intervals are made of (a calendar, its working hours, a public holiday)
# clears Odoo's model caches, here and, once committed, in every worker.


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        self.env.registry.clear_cache()
        return attendances

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    # Only public holidays (no resource) count on a support calendar: an
    # employee's time off leaves the cache alone.

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._clear_support_cache()
        return leaves

    def write(self, vals):
        self._clear_support_cache()
        result = super().write(vals)
        self._clear_support_cache()
        return result

    def unlink(self):
        self._clear_support_cache()
        return super().unlink()

    def _clear_support_cache(self):
        if any(not leave.resource_id for leave in self.sudo()):
            self.env.registry.clear_cache()
