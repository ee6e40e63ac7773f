from odoo import models
from odoo.fields import Command

# What a service transfer does for its document when it is done; the move
# carries it, with an indexed link to the RMA or the loan it serves.
TRANSFER_KINDS = [
    ("receipt", "Unit in from the customer"),
    ("return", "Unit back to the customer"),
    ("exchange", "Replacement to the customer"),
    ("loan_out", "Loaner to the customer"),
    ("loan_back", "Loaner back from the customer"),
    ("vendor_out", "Unit to the vendor"),
    ("vendor_back", "Unit back from the vendor"),
]


class ServiceTransferMixin(models.AbstractModel):
    """The one place RMAs and loans build their transfers.

    Each kind of transfer has two hooks integrators can hold, as Odoo's own
    ``_prepare_*_vals``: ``_prepare_<kind>_picking_vals()`` and
    ``_prepare_<kind>_move_vals()``, both fed by ``_service_transfer_spec(kind)``
    (warehouse, source, final destination, serial). Every move is linked to
    its document (``stock.move.service_rma_id`` / ``service_loan_id`` /
    ``service_vendor_claim_id``, indexed) and says its kind, so validating a
    transfer finds what to do from its own moves, and validating any other
    transfer costs nothing more.

    The transfer follows its warehouse's steps. What is created here is the
    first step, with ``location_final_id`` set to where the unit must end;
    Odoo's push rules make the next steps, as for any receipt or delivery:
    coming in, the warehouse's service route (``stock.warehouse.
    _get_service_route``: input, then quality control, as its reception is set
    up); going out, its delivery route (pick, pack, ship). The document moves
    on when the unit reaches the end (``stock.move._is_service_last_step``).
    """

    _name = "service.transfer.mixin"
    _description = "Transfers of after-sales documents"

    def _service_transfer_spec(self, kind):
        """``(warehouse, source, destination, lot)`` of the ``kind`` of
        transfer of this document: where the unit is and where it must end."""
        raise NotImplementedError(kind)

    def _service_move_link(self):
        """The values that link a move to this document."""
        raise NotImplementedError

    def _service_partner(self):
        raise NotImplementedError

    def _service_first_step(self, kind):
        """``(picking_type, destination, route)`` of the first step of the
        ``kind`` of transfer in its warehouse."""
        warehouse, _source, destination, _lot = self._service_transfer_spec(kind)
        if destination.usage == "internal":
            if warehouse.reception_steps == "one_step":
                return warehouse.in_type_id, destination, warehouse._get_service_route()
            return warehouse.in_type_id, warehouse.wh_input_stock_loc_id, warehouse._get_service_route()
        if warehouse.delivery_steps == "ship_only":
            return warehouse.out_type_id, destination, warehouse.delivery_route_id
        pick = warehouse.pick_type_id
        return pick, pick.default_location_dest_id, warehouse.delivery_route_id

    def _prepare_service_picking_vals(self, kind):
        self.ensure_one()
        _warehouse, source, _destination, _lot = self._service_transfer_spec(kind)
        picking_type, first_destination, _route = self._service_first_step(kind)
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self._service_partner().id,
            "location_id": source.id,
            "location_dest_id": first_destination.id,
            "origin": self.display_name if self._name != "service.rma" else self.name,
            "company_id": picking_type.company_id.id or self.env.company.id,
        }

    def _prepare_service_move_vals(self, kind):
        self.ensure_one()
        warehouse, source, destination, lot = self._service_transfer_spec(kind)
        _picking_type, first_destination, route = self._service_first_step(kind)
        return {
            "product_id": lot.product_id.id,
            "product_uom_qty": 1,
            "product_uom": lot.product_id.uom_id.id,
            "location_id": source.id,
            "location_dest_id": first_destination.id,
            "location_final_id": destination.id,
            "route_ids": [Command.set(route.ids)],
            "warehouse_id": warehouse.id,
            "partner_id": self._service_partner().id,
            "service_kind": kind,
            **self._service_move_link(),
        }

    # One pair of hooks per kind, so an integrator overrides exactly the
    # transfer they mean.
    def _prepare_receipt_picking_vals(self):
        return self._prepare_service_picking_vals("receipt")

    def _prepare_receipt_move_vals(self):
        return self._prepare_service_move_vals("receipt")

    def _prepare_return_picking_vals(self):
        return self._prepare_service_picking_vals("return")

    def _prepare_return_move_vals(self):
        return self._prepare_service_move_vals("return")

    def _prepare_exchange_picking_vals(self):
        return self._prepare_service_picking_vals("exchange")

    def _prepare_exchange_move_vals(self):
        return self._prepare_service_move_vals("exchange")

    def _prepare_loan_out_picking_vals(self):
        return self._prepare_service_picking_vals("loan_out")

    def _prepare_loan_out_move_vals(self):
        return self._prepare_service_move_vals("loan_out")

    def _prepare_loan_back_picking_vals(self):
        return self._prepare_service_picking_vals("loan_back")

    def _prepare_loan_back_move_vals(self):
        return self._prepare_service_move_vals("loan_back")

    def _prepare_vendor_out_picking_vals(self):
        return self._prepare_service_picking_vals("vendor_out")

    def _prepare_vendor_out_move_vals(self):
        return self._prepare_service_move_vals("vendor_out")

    def _prepare_vendor_back_picking_vals(self):
        return self._prepare_service_picking_vals("vendor_back")

    def _prepare_vendor_back_move_vals(self):
        return self._prepare_service_move_vals("vendor_back")

    def _service_create_transfer(self, kind):
        """The first step of a one-unit transfer of ``kind``, confirmed (its
        next steps waiting on it), its serial set: ready to validate. Returns
        the picking."""
        self.ensure_one()
        _warehouse, _source, _destination, lot = self._service_transfer_spec(kind)
        picking_vals = getattr(self, f"_prepare_{kind}_picking_vals")()
        move_vals = getattr(self, f"_prepare_{kind}_move_vals")()
        picking = self.env["stock.picking"].create({**picking_vals, "move_ids": [Command.create(move_vals)]})
        picking.action_confirm()
        move = picking.move_ids
        # The unit is the one this document is about, whatever the
        # reservation strategy would have picked.
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create({
            "move_id": move.id,
            "picking_id": picking.id,
            "product_id": lot.product_id.id,
            "lot_id": lot.id,
            "quantity": 1,
            "location_id": move.location_id.id,
            "location_dest_id": move.location_dest_id.id,
        })
        return picking
