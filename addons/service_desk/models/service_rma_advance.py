"""Advance replacement (备件先行) on the RMA: the replacement goes out before
the faulty unit comes in. One concern, one file, as the warranty card's in
service_warranty: the RMA's own exchange (``_exchange``, its transfer and
``_replace_warranty``) does the work; this only lets it run while the unit is
still on its way in, and closes the RMA when the unit arrives."""

from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import UserError


class ServiceRma(models.Model):
    _inherit = "service.rma"  # pylint: disable=consider-merging-classes-inherited

    advance_replacement = fields.Boolean(
        readonly=True, copy=False, string="Advance replacement",
        help="The replacement was sent before the faulty unit came back; the RMA is done when the "
        "faulty unit is received.",
    )

    @api.depends("advance_replacement", "covered")
    def _compute_can(self):
        """An advance replacement exchanges a covered unit before it is
        received; once the replacement is on its way, the RMA is no longer
        cancelled (the faulty unit must come back)."""
        result = super()._compute_can()
        for rma in self.filtered("advance_replacement"):
            rma.can_exchange = rma.state == "draft" and rma.covered and not rma.exchange_picking_id
            if rma.exchange_picking_id:
                rma.can_cancel = False
        return result

    def _decided_fields(self):
        hints = super()._decided_fields()
        hints["advance_replacement"] = self.env._(
            "Use Advance replacement on the service request."
        )
        return hints

    def _decided_create_fields(self):
        return super()._decided_create_fields() | {"advance_replacement": None}

    def _advance_exchange(self, replacement):
        """Ship ``replacement`` now through the RMA's exchange transfer and
        make the faulty unit's receipt; returns the exchange transfer. Only
        for a covered unit whose RMA has not started coming in."""
        self.ensure_one()
        if self.state != "draft" or self.receipt_picking_id:
            raise UserError(self.env._(
                "%(rma)s is already under way: exchange the unit from the RMA once it is received.",
                rma=self.name,
            ))
        if not self.covered:
            raise UserError(self.env._(
                "%(serial)s is not covered (%(reason)s): an advance replacement is for units under "
                "warranty. Take the unit in instead.",
                serial=self.lot_id.name, reason=self.policy_reason or "-",
            ))
        self.check_access("write")
        with deciding():
            self.advance_replacement = True
        picking = self._exchange(replacement)
        self.action_create_receipt()
        return picking

    def _on_advance_exchange_done(self):
        """The replacement reached the customer before their unit came back:
        the certificate follows the policy's replacement rule now, as for any
        exchange; the RMA waits for the faulty unit."""
        self._check_no_loaner_out()
        now = fields.Datetime.now()
        Warranty = self.env["service.warranty"].sudo()
        for rma in self:
            with deciding():
                rma._replace_warranty(Warranty)
                rma.write({"date_resolved": now, "date_returned": now})

    def _on_receipt_done(self):
        """The faulty unit of an advance replacement is back: nothing is
        left to do for the customer, the RMA is done."""
        result = super()._on_receipt_done()
        swapped = self.filtered(
            lambda rma: rma.advance_replacement and rma.exchange_picking_id.state == "done"
        )
        if swapped:
            with deciding():
                swapped.write({"state": "done"})
        return result
