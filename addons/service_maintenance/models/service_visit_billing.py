from odoo import fields, models


class ServiceVisit(models.Model):
    _inherit = "service.visit"

    def _service_cost_terms(self):
        """A visit to a unit under a running maintenance contract is charged
        as the contract's period on the day of the visit says (warranty:
        nothing; maintenance: the parts, the labour and the visit fee free;
        lifetime: everything at cost), unless the unit's own certificate
        covers it; without a contract, as the policy says."""
        self.ensure_one()
        if self._service_is_covered() or not self.lot_id:
            return super()._service_cost_terms()
        moment = self.date_arrived or self.date_planned or fields.Datetime.now()
        terms = self.env["service.contract"]._cost_terms_for_lot(
            self.lot_id, fields.Date.context_today(self, moment)
        )
        return terms if terms is not None else super()._service_cost_terms()
