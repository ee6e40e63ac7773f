from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    rma_location_id = fields.Many2one(
        "stock.location", string="Repair location", check_company=True,
        help="Where returned units wait and are repaired. Created on first use.",
    )
    loaner_location_id = fields.Many2one(
        "stock.location", string="Loaner location", check_company=True,
        help="Where the loaner pool is kept. Created on first use.",
    )
    service_route_id = fields.Many2one(
        "stock.route", string="Service receipt route", check_company=True, readonly=True,
        help="The steps after the first of a unit coming in for service (returned units, loaners back), "
             "as the warehouse's reception is set up. Created on first use, kept in step with the reception.",
    )

    def _get_rma_location(self):
        return self._get_service_location("rma_location_id", self.env._("Repair"))

    def _get_loaner_location(self):
        return self._get_service_location("loaner_location_id", self.env._("Loaners"))

    def _get_service_location(self, field, name):
        self.ensure_one()
        if not self[field]:
            location = self.env["stock.location"].sudo().create({
                "name": name,
                "usage": "internal",
                "location_id": self.view_location_id.id,
                "company_id": self.company_id.id,
            })
            self.sudo()[field] = location
        return self[field]

    def _service_route_routings(self):
        """``[(source, destination, picking type)]``: the push rules after a
        service receipt's first step. Like the warehouse's reception route
        (input, then quality control), but the last rule ends at the
        warehouse's view location, so each unit goes on to its own final
        location (``stock.move.location_final_id``): the repair location for
        a returned unit, the loaner pool for a loaner, never the saleable
        stock."""
        self.ensure_one()
        if self.reception_steps == "two_steps":
            return [(self.wh_input_stock_loc_id, self.view_location_id, self.store_type_id)]
        if self.reception_steps == "three_steps":
            return [(self.wh_input_stock_loc_id, self.wh_qc_stock_loc_id, self.qc_type_id),
                    (self.wh_qc_stock_loc_id, self.view_location_id, self.store_type_id)]
        return []

    def _get_service_route(self):
        """The warehouse's service receipt route, its rules as its reception
        is set up now."""
        self.ensure_one()
        warehouse = self.sudo()
        route = warehouse.service_route_id
        if not route:
            route = self.env["stock.route"].sudo().create({
                "name": self.env._("%(warehouse)s: Service receipt", warehouse=self.name),
                "company_id": self.company_id.id,
                "sequence": 5,
                "product_selectable": False,
                "product_categ_selectable": False,
                "warehouse_selectable": False,
            })
            warehouse.service_route_id = route
        wanted = {(source.id, destination.id, picking_type.id)
                  for source, destination, picking_type in warehouse._service_route_routings()}
        current = {(rule.location_src_id.id, rule.location_dest_id.id, rule.picking_type_id.id): rule
                   for rule in route.with_context(active_test=False).rule_ids}
        if {key for key, rule in current.items() if rule.active} != wanted:
            for key, rule in current.items():
                if rule.active and key not in wanted:
                    rule.active = False
            for key in wanted:
                if key in current:
                    current[key].active = True
                    continue
                source, destination, picking_type = (self.env["stock.location"].browse(key[0]),
                                                     self.env["stock.location"].browse(key[1]),
                                                     self.env["stock.picking.type"].browse(key[2]))
                self.env["stock.rule"].sudo().create({
                    "name": self._format_rulename(source, destination, self.env._("Service")),
                    "route_id": route.id,
                    "action": "push",
                    "auto": "manual",
                    "location_src_id": source.id,
                    "location_dest_id": destination.id,
                    "picking_type_id": picking_type.id,
                    "warehouse_id": self.id,
                    "company_id": self.company_id.id,
                    "propagate_cancel": True,
                })
        return route
