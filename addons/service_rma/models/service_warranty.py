from odoo import models

# An RMA is a time the unit was sent for service once it was received.
CARD_SKIPPED_STATES = ("draft", "cancel")


class ServiceWarranty(models.Model):
    _inherit = "service.warranty"

    def _get_card_repair_record(self):
        """The repair record from the unit's RMAs, which know the fault the
        customer reported, the cause found and the action taken; a repair
        made for an RMA is that RMA's line, other repairs keep their own."""
        rows = super()._get_card_repair_record()
        rmas = self.lot_id.rma_ids.filtered(lambda rma: rma.state not in CARD_SKIPPED_STATES)
        rows = [row for row in rows if not (row.get("repair") and row["repair"] in rmas.repair_id)]
        rows += [self._prepare_card_rma_row(rma) for rma in rmas]
        return self._number_repair_record(rows)

    def _prepare_card_rma_row(self, rma):
        day = self._card_day
        return {
            "date_sent": day(rma.date_received or rma.date_intake),
            "fault": rma.fault_description or "",
            "cause": rma.cause or "",
            "action": rma.action_taken or "",
            "date_returned": day(rma.date_returned),
            "technician": (rma.repair_id.user_id or rma.user_id).name or "",
            "repair": rma.repair_id,
            "rma": rma,
        }
